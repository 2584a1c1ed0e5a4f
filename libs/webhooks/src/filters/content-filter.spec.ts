import { ContentFilterError, FILTER_LIMITS, parseContentFilter } from './content-filter';
import { contentFilterJsonPath } from './content-filter.jsonpath';
import { compileContentFilter } from './content-filter.matcher';

const problemsOf = (filter: unknown): string[] => {
  try {
    parseContentFilter(filter);
    return [];
  } catch (error) {
    if (error instanceof ContentFilterError) return error.problems;
    throw error;
  }
};

describe('parseContentFilter', () => {
  it.each([
    [{ 'contact.fields.country': 'IT' }],
    [{ 'contact.tags': { $in: ['vip', 'beta'] }, 'campaign.id': { $nin: [1, 2] } }],
    [{ score: { $gte: 5, $lt: 10 }, 'contact.confirmed': true }],
    [{ $or: [{ 'contact.tags': { $all: ['a', 'b'] } }, { email: { $exists: false } }] }],
    [{ $nor: [{ a: 1 }], b: { $not: { $in: ['x'] } }, c: { $ne: 'y' } }],
    [{ 'first name': 'Ada', 'fields.città': 'Roma' }],
  ])('accepts %j', (filter) => {
    expect(problemsOf(filter)).toEqual([]);
  });

  it.each([
    [null, 'filter must be an object of conditions'],
    [[], 'filter must be an object of conditions'],
    ['country = IT', 'filter must be an object of conditions'],
    [{}, 'filter must have at least one condition'],
    [{ country: null }, 'filter.country must be a string, a number or a boolean (use $exists'],
    [
      { contact: { email: 'a' } },
      'filter.contact must be a string, a number or a boolean (a dotted',
    ],
    [{ tags: ['a', 'b'] }, 'filter.tags must be a string, a number or a boolean'],
    [{ tags: { $in: [] } }, 'filter.tags.$in must be an array of 1 to 100'],
    [{ tags: { $in: 'vip' } }, 'filter.tags.$in must be an array of 1 to 100'],
    [
      { tags: { $in: ['a', { b: 1 }] } },
      'filter.tags.$in[1] must be a string, a number or a boolean',
    ],
    [{ score: { $gt: '5' } }, 'filter.score.$gt must be a finite number'],
    [{ email: { $exists: 'yes' } }, 'filter.email.$exists must be true or false'],
    [{ email: { $regex: '^a' } }, 'filter.email.$regex is not a supported operator'],
    [{ email: { $where: 'sleep(1)' } }, 'filter.email.$where is not a supported operator'],
    [{ $where: 'this.a' }, 'filter.$where is not supported at this level'],
    [{ $expr: { $gt: [1, 0] } }, 'filter.$expr is not supported at this level'],
    [{ email: { $eq: 'a', other: 1 } }, 'filter.email must hold either operators or a value'],
    [{ email: {} }, 'filter.email must be a string, a number or a boolean'],
    [{ email: { $not: { $not: { $eq: 'a' } } } }, 'filter.email.$not must not hold another $not'],
    [{ email: { $not: 'a' } }, 'filter.email.$not must be an object of operators'],
    [{ 'tags.0': 'vip' }, 'filter.tags.0 is not a field path'],
    [{ 'a..b': 1 }, 'filter.a..b is not a field path'],
    [{ 'a.$b': 1 }, 'filter.a.$b is not a field path'],
    [{ $or: [] }, 'filter.$or must be a non-empty array of filters'],
    [{ $or: [{}] }, 'filter.$or[0] must have at least one condition'],
    [{ $and: { a: 1 } }, 'filter.$and must be a non-empty array of filters'],
    [{ a: '\ud800' }, 'filter.a must be a string of well-formed Unicode without NUL'],
    [{ a: 'x\u0000' }, 'filter.a must be a string of well-formed Unicode without NUL'],
    [{ a: Number.POSITIVE_INFINITY }, 'filter.a must be a finite number'],
    [
      { a: 'x'.repeat(FILTER_LIMITS.maxValueLength + 1) },
      'filter.a must be at most 500 characters',
    ],
    [{ $or: [{ $or: [{ $or: [{ $or: [{ a: 1 }] }] }] }] }, 'nests more than 3 logical operators'],
  ])('refuses %j: %s', (filter, problem) => {
    expect(problemsOf(filter).join('\n')).toContain(problem);
  });

  it('refuses more conditions, values, path segments or characters than its limits', () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`f${index}`, 1]));
    expect(problemsOf(many)).toEqual(['filter must have at most 32 conditions']);
    expect(problemsOf({ a: { $in: Array.from({ length: 101 }, (_, index) => index) } })).toEqual([
      'filter.a.$in must be an array of 1 to 100 strings, numbers or booleans',
    ]);
    expect(problemsOf({ [Array(11).fill('a').join('.')]: 1 })[0]).toContain(
      'more than 10 path segments',
    );
    const long = { a: { $in: Array.from({ length: 90 }, () => 'y'.repeat(50)) } };
    expect(problemsOf(long)).toEqual(['filter must be at most 4096 characters as JSON']);
  });

  it('lists every problem, each where it is', () => {
    expect(problemsOf({ a: { $gt: 'x' }, $or: [{ b: null }], c: { $size: 2 } })).toEqual([
      'filter.a.$gt must be a finite number',
      'filter.$or[0].b must be a string, a number or a boolean (use $exists for absent fields)',
      expect.stringContaining('filter.c.$size is not a supported operator'),
    ]);
  });
});

describe('contentFilterJsonPath', () => {
  it('is null without a filter', () => {
    expect(contentFilterJsonPath(null)).toBeNull();
  });

  // `items(p, c)`: some item at path p, not a nested array, passes c (see the translation's comments).
  const items = (path: string, condition: string) =>
    `exists(${path} ? (@.type() != "array" && (${condition})))`;

  it('tests the items of each path, so that no comparison of mixed types leaks out as unknown', () => {
    expect(contentFilterJsonPath({ 'contact.tags': 'vip' })).toBe(
      items('$."contact"."tags"', '@ == "vip"'),
    );
    expect(contentFilterJsonPath({ a: { $ne: 1, $exists: true }, b: { $in: [true, 'x'] } })).toBe(
      `(!${items('$."a"', '@ == 1')} && exists($."a") && ${items('$."b"', '@ == true || @ == "x"')})`,
    );
    expect(
      contentFilterJsonPath({ $nor: [{ a: { $gt: 1e21 } }, { b: { $not: { $exists: false } } }] }),
    ).toBe(`!(${items('$."a"', '@ > 1e21')} || !(!exists($."b")))`);
  });

  it('quotes keys and strings as JSON does', () => {
    expect(contentFilterJsonPath({ 'say "hi"': 'back\\slash\n' })).toBe(
      items('$."say \\"hi\\""', '@ == "back\\\\slash\\n"'),
    );
  });
});

describe('compileContentFilter', () => {
  it('answers as MongoDB does over arrays and absent fields', () => {
    const vip = compileContentFilter({ 'contact.tags': { $in: ['vip', 'beta'] } });
    expect(vip({ contact: { tags: ['a', 'vip'] } })).toBe(true);
    expect(vip({ contact: { tags: 'beta' } })).toBe(true);
    expect(vip({ contact: { tags: ['a'] } })).toBe(false);
    expect(vip({})).toBe(false);
    const notVip = compileContentFilter({ 'contact.tags': { $nin: ['vip'] } });
    expect(notVip({})).toBe(true);
    expect(notVip({ contact: { tags: ['vip'] } })).toBe(false);
  });

  it('does not look into arrays nested directly in arrays', () => {
    expect(compileContentFilter({ b: '1' })({ b: [['1']] })).toBe(false);
    expect(compileContentFilter({ 'a.c': { $exists: true } })({ a: [[{ c: 1 }]] })).toBe(false);
    expect(compileContentFilter({ 'a.b.c': 'y' })({ a: [{ b: [{ c: 'y' }] }] })).toBe(true);
  });

  it('compares ranges with numbers only, and equality without conversions', () => {
    expect(compileContentFilter({ n: { $gt: 1 } })({ n: '5' })).toBe(false);
    expect(compileContentFilter({ n: 5 })({ n: '5' })).toBe(false);
    expect(compileContentFilter({ n: { $ne: 5 } })({ n: '5' })).toBe(true);
  });
});
