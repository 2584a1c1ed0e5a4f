/** PostgreSQL text cannot hold NUL; receivers' answers (a gzip body, say) can contain it. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.split('\u0000').join('') : text;
}

/** Path of the first string (or key) holding a NUL character, e.g. `headers.X-Token`. */
export function findNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return here;
    const found = findNul(inner, here);
    if (found) return found;
  }
  return undefined;
}
