import {
  parseContentFilter,
  type ContentFilter,
  type FieldTest,
  type FilterNode,
  type FilterValue,
} from './content-filter';

export type DataTest = (data: Record<string, unknown>) => boolean;

/**
 * A filter as a test of events' data, with the semantics docs/filters.md gives (MongoDB's, for the
 * operators allowed): a path goes through arrays, an element at a time; arrays directly inside
 * arrays are not looked into. PostgreSQL's translation (`toJsonPathPredicate`) is proven to answer
 * the same. Not sift or mingo: each goes into nested arrays in its own way, which SQL/JSON path
 * cannot follow.
 */
export function compileContentFilter(filter: ContentFilter): DataTest {
  const nodes = parseContentFilter(filter);
  return (data) => nodes.every((node) => passes(node, data));
}

function passes(node: FilterNode, data: unknown): boolean {
  if (node.kind === 'field') return fieldPasses(reach(data, node.path), node.test);
  const answers = node.nodes.map((inner) => passes(inner, data));
  if (node.operator === '$and') return answers.every(Boolean);
  const any = answers.some(Boolean);
  return node.operator === '$or' ? any : !any;
}

/** The values at the end of the path: through an array, each of its elements that is an object. */
function reach(data: unknown, path: readonly string[]): unknown[] {
  let values: unknown[] = [data];
  for (const key of path) {
    values = values.flatMap((value) =>
      (Array.isArray(value) ? value : [value]).flatMap((item: unknown) =>
        isObject(item) && Object.hasOwn(item, key) ? [item[key]] : [],
      ),
    );
  }
  return values;
}

/** What the tests compare: the values reached, an array's elements in its place (not nested arrays). */
const itemsOf = (values: unknown[]): unknown[] =>
  values.flatMap((value) =>
    Array.isArray(value)
      ? (value as unknown[]).filter((element) => !Array.isArray(element))
      : [value],
  );

function fieldPasses(values: unknown[], test: FieldTest): boolean {
  const items = itemsOf(values);
  const equalTo = (wanted: FilterValue) => items.some((item) => item === wanted);
  const numbers = () => items.filter((item): item is number => typeof item === 'number');
  switch (test.operator) {
    case 'eq':
      return equalTo(test.value);
    case 'ne':
      return !equalTo(test.value);
    case 'in':
      return test.values.some(equalTo);
    case 'nin':
      return !test.values.some(equalTo);
    case 'all':
      return test.values.every(equalTo);
    case 'gt':
      return numbers().some((item) => item > test.value);
    case 'gte':
      return numbers().some((item) => item >= test.value);
    case 'lt':
      return numbers().some((item) => item < test.value);
    case 'lte':
      return numbers().some((item) => item <= test.value);
    case 'exists':
      return values.length > 0 === test.value;
    case 'not':
      return !test.tests.every((inner) => fieldPasses(values, inner));
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Compiled tests by the filter's JSON, the oldest forgotten past `size`: the fan-out meets the same
 * subscriptions batch after batch, each read afresh from the database.
 */
export class CompiledContentFilters {
  private readonly tests = new Map<string, DataTest>();

  constructor(private readonly size = 1_000) {}

  matches(filter: ContentFilter, data: Record<string, unknown>): boolean {
    const key = JSON.stringify(filter);
    let test = this.tests.get(key);
    if (!test) {
      test = compileContentFilter(filter);
      if (this.tests.size >= this.size) this.tests.delete(this.tests.keys().next().value!);
      this.tests.set(key, test);
    }
    return test(data);
  }
}
