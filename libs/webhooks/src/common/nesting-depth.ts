/** Deeper than any input the library takes (`headers.<name>` is 2). */
export const MAX_INPUT_NESTING = 8;

/**
 * The first path (`headers.a.a`) at which `value` nests deeper than `maxDepth` objects or arrays, found
 * without recursion: a body nested thousands deep would overflow the stack of anything recursive
 * (class-transformer, the validators) before it could be refused.
 */
export function tooDeep(value: unknown, maxDepth = MAX_INPUT_NESTING): string | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth === maxDepth) return path || 'body';
    for (const [key, inner] of Object.entries(current)) {
      stack.push({ value: inner, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The problem, naming the top-level field, or undefined if `value` is not too deep. */
export function tooDeepProblem(value: unknown): string | undefined {
  const path = tooDeep(value);
  return path && `${path.split('.')[0]} is nested too deep (more than ${MAX_INPUT_NESTING} levels)`;
}
