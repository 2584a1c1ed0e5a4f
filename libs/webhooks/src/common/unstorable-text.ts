/** PostgreSQL text cannot hold NUL; receivers' answers (a gzip body, say) can contain it. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.split('\u0000').join('') : text;
}

/** A UTF-16 surrogate without its other half: text that is not well-formed Unicode. */
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What no database stores as sent: NUL (PostgreSQL refuses it) and lone surrogates (encoded as
 * U+FFFD on the way to the database, so the stored text would differ from the accepted one).
 */
function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/**
 * The first string (or key) no database would store as sent, with its path (e.g. `headers.X-Token`)
 * and what is wrong with it, as a message: `headers.X-Token must not contain NUL characters`.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    return problem && `${path || 'body'} ${problem}`;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    const problem = problemOf(key);
    if (problem) return `${here} ${problem}`;
    const found = findUnstorableText(inner, here);
    if (found) return found;
  }
  return undefined;
}
