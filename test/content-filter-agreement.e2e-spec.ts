import fc from 'fast-check';
import { Client } from 'pg';
import type { ContentFilter } from 'nestjs-marketing-webhooks';
import { parseContentFilter } from '../libs/webhooks/src/filters/content-filter';
import { contentFilterJsonPath } from '../libs/webhooks/src/filters/content-filter.jsonpath';
import { compileContentFilter } from '../libs/webhooks/src/filters/content-filter.matcher';
import { DATABASE_URL } from './support/services';

type Data = Record<string, unknown>;

/**
 * MySQL and SQLite fan-outs evaluate filters in JavaScript (`compileContentFilter`); PostgreSQL evaluates
 * their SQL/JSON path translation inside its statement. Both must give the same answer for every
 * filter and every event: the documented cases below, then thousands of generated ones.
 */
describe('content filters: PostgreSQL agrees with the JavaScript evaluation', () => {
  let pg: Client;

  beforeAll(async () => {
    pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
  });
  afterAll(() => pg.end());

  /** PostgreSQL's answers, in one statement. */
  async function postgresAnswers(pairs: ReadonlyArray<[ContentFilter, Data]>): Promise<boolean[]> {
    const { rows } = await pg.query<{ matches: boolean }>(
      `SELECT jsonb_path_match(d::jsonb, p::jsonpath) AS matches
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(d, p, n) ORDER BY n`,
      [
        pairs.map(([, data]) => JSON.stringify(data)),
        pairs.map(([filter]) => contentFilterJsonPath(filter)),
      ],
    );
    return rows.map((row) => row.matches);
  }

  const javascriptAnswers = (pairs: ReadonlyArray<[ContentFilter, Data]>) =>
    pairs.map(([filter, data]) => compileContentFilter(filter)(data));

  const ada = {
    contact: {
      email: 'ada@example.com',
      tags: ['vip', 'beta'],
      fields: { country: 'IT', 'first name': 'Ada', score: 7, confirmed: true, note: null },
    },
    campaign: { id: 42 },
    items: [{ sku: 'A1', qty: 2 }, { sku: 'B2' }],
    ratings: [3, 9],
  };

  const CASES: Array<[string, ContentFilter, boolean]> = [
    ['a field equals a value', { 'contact.fields.country': 'IT' }, true],
    ['a field equals another value', { 'contact.fields.country': 'FR' }, false],
    ['an absent field equals nothing', { 'contact.fields.city': 'Rome' }, false],
    ['a number is not its string', { 'campaign.id': '42' }, false],
    ['a tag is one of an array', { 'contact.tags': 'vip' }, true],
    ['a tag is among a set', { 'contact.tags': { $in: ['gold', 'beta'] } }, true],
    ['no tag is among a set', { 'contact.tags': { $in: ['gold', 'silver'] } }, false],
    ['no tag is in a set', { 'contact.tags': { $nin: ['gold'] } }, true],
    ['a tag is in a set', { 'contact.tags': { $nin: ['gold', 'vip'] } }, false],
    ['an absent field is in no set', { 'contact.fields.city': { $nin: ['Rome'] } }, true],
    ['every tag of a set', { 'contact.tags': { $all: ['beta', 'vip'] } }, true],
    ['not every tag of a set', { 'contact.tags': { $all: ['beta', 'gold'] } }, false],
    ['a campaign id is one of a list', { 'campaign.id': { $in: [7, 42, 99] } }, true],
    ['not equal: another value', { 'contact.fields.country': { $ne: 'FR' } }, true],
    ['not equal: the value', { 'contact.fields.country': { $ne: 'IT' } }, false],
    ['not equal: another type', { 'campaign.id': { $ne: '42' } }, true],
    ['not equal: an absent field', { 'contact.fields.city': { $ne: 'Rome' } }, true],
    ['not equal: an element of an array', { 'contact.tags': { $ne: 'vip' } }, false],
    ['a range', { 'contact.fields.score': { $gte: 5, $lt: 10 } }, true],
    ['out of the range', { 'contact.fields.score': { $gt: 7 } }, false],
    ['a range over an array: any element each', { ratings: { $gt: 5, $lt: 4 } }, true],
    ['a range is numbers only', { 'contact.fields.country': { $gt: 0 } }, false],
    ['a boolean', { 'contact.fields.confirmed': true }, true],
    ['a boolean is not its string', { 'contact.fields.confirmed': 'true' }, false],
    ['exists: null is present', { 'contact.fields.note': { $exists: true } }, true],
    ['exists: absent', { 'contact.fields.city': { $exists: false } }, true],
    ['a key with a space', { 'contact.fields.first name': 'Ada' }, true],
    ['through an array of objects', { 'items.sku': 'B2' }, true],
    ['through an array of objects, absent in some', { 'items.qty': { $gte: 2 } }, true],
    ['not', { 'contact.fields.country': { $not: { $in: ['IT', 'FR'] } } }, false],
    ['not, on an absent field', { 'contact.fields.city': { $not: { $gt: 1 } } }, true],
    ['or', { $or: [{ 'campaign.id': 1 }, { 'contact.tags': 'vip' }] }, true],
    ['and', { $and: [{ 'campaign.id': 42 }, { 'contact.tags': 'gold' }] }, false],
    ['nor', { $nor: [{ 'campaign.id': 1 }, { 'contact.tags': 'gold' }] }, true],
    ['every condition of an object', { 'campaign.id': 42, 'contact.fields.country': 'FR' }, false],
  ];

  it.each(CASES)('%s', async (_name, filter, expected) => {
    parseContentFilter(filter);
    expect(javascriptAnswers([[filter, ada]])).toEqual([expected]);
    expect(await postgresAnswers([[filter, ada]])).toEqual([expected]);
  });

  it('strings and keys that need escaping, numbers written in any form', async () => {
    const data = { 'say "hi"': 'back\\slash\n', emoji: '🦜 ünï', big: 1e21, small: -2.5e-7 };
    const pairs: Array<[ContentFilter, Data]> = [
      [{ 'say "hi"': 'back\\slash\n' }, data],
      [{ emoji: { $in: ['🦜 ünï'] } }, data],
      [{ big: 1e21, small: { $lt: 0 } }, data],
      [{ small: -2.5e-7 }, data],
    ];
    expect(javascriptAnswers(pairs)).toEqual([true, true, true, true]);
    expect(await postgresAnswers(pairs)).toEqual([true, true, true, true]);
  });

  it('agrees on thousands of generated filters and events', async () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const scalar = fc.oneof(
      fc.constantFrom('x', 'y', '', '1'),
      fc.integer({ min: -2, max: 2 }),
      fc.boolean(),
    );
    const { value: data } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
      ),
    }));
    const document = fc.dictionary(key, data, {
      maxKeys: 3,
      noNullPrototype: true,
    }) as fc.Arbitrary<Data>;
    const path = fc.constantFrom('a', 'b', 'a.b', 'a.c', 'b.a', 'a.b.c');
    const values = fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 });
    const operators = fc.oneof(
      scalar.map((value) => ({ $eq: value })),
      scalar.map((value) => ({ $ne: value })),
      values.map((list) => ({ $in: list })),
      values.map((list) => ({ $nin: list })),
      values.map((list) => ({ $all: list })),
      fc
        .tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), fc.integer({ min: -2, max: 2 }))
        .map(([operator, value]) => ({ [operator]: value })),
      fc.boolean().map((value) => ({ $exists: value })),
    );
    const condition = fc.oneof(
      scalar,
      operators,
      operators.map((inner) => ({ $not: inner })),
    );
    const { filter } = fc.letrec<{ filter: ContentFilter }>((tie) => ({
      filter: fc.oneof(
        { depthSize: 'small' },
        fc.dictionary(path, condition, {
          minKeys: 1,
          maxKeys: 3,
          noNullPrototype: true,
        }) as fc.Arbitrary<ContentFilter>,
        fc
          .tuple(
            fc.constantFrom('$and', '$or', '$nor'),
            fc.array(tie('filter'), { minLength: 1, maxLength: 3 }),
          )
          .map(([operator, filters]) => ({ [operator]: filters })),
      ),
    }));
    const seed = Date.now();
    const pairs = fc
      .sample(fc.tuple(filter, document), { numRuns: 5_000, seed })
      .filter(([candidate]) => {
        try {
          parseContentFilter(candidate);
          return true;
        } catch {
          return false; // nested deeper than a filter may be
        }
      });
    expect(pairs.length).toBeGreaterThan(4_000);
    const expected = javascriptAnswers(pairs);
    const actual = await postgresAnswers(pairs);
    const disagreements = pairs
      .map(([candidate, event], index) => ({
        candidate,
        event,
        js: expected[index],
        pg: actual[index],
      }))
      .filter(({ js, pg: answer }) => js !== answer);
    expect({ seed, disagreements: disagreements.slice(0, 3) }).toEqual({ seed, disagreements: [] });
    // Both answers occur often enough for the comparison to mean something.
    expect(expected.filter(Boolean).length).toBeGreaterThan(pairs.length / 10);
    expect(expected.filter((answer) => !answer).length).toBeGreaterThan(pairs.length / 10);
  });
});
