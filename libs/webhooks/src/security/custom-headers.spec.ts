import { customHeadersProblem } from './custom-headers';

describe('customHeadersProblem', () => {
  it('accepts ordinary headers', () => {
    expect(customHeadersProblem({ Authorization: 'Bearer abc', 'X-Api-Key': 'k' })).toBeNull();
  });

  it('refuses values that would read back as encrypted envelopes', () => {
    expect(customHeadersProblem({ 'X-Token': 'enc:v1:k1:aaaa' })).toBe(
      'headers["X-Token"] may not start with "enc:v1:"',
    );
  });
});
