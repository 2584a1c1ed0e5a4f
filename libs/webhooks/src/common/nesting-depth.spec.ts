import { MAX_INPUT_NESTING, tooDeep, tooDeepProblem } from './nesting-depth';

function chain(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('tooDeep', () => {
  it('accepts up to the limit and names the path just past it', () => {
    expect(tooDeep({ x: chain(MAX_INPUT_NESTING - 1) })).toBeUndefined();
    expect(tooDeep({ x: chain(MAX_INPUT_NESTING) })).toBe(
      ['x', ...Array(MAX_INPUT_NESTING - 1).fill('a')].join('.'),
    );
  });

  it('walks a million levels without recursion', () => {
    expect(tooDeepProblem({ headers: chain(1_000_000) })).toBe(
      `headers is nested too deep (more than ${MAX_INPUT_NESTING} levels)`,
    );
  });

  it('ignores scalars and counts arrays as levels', () => {
    expect(tooDeep('text')).toBeUndefined();
    expect(tooDeep(null)).toBeUndefined();
    expect(tooDeep([[[[[[[[[1]]]]]]]]])).toBe('0.0.0.0.0.0.0.0');
  });
});
