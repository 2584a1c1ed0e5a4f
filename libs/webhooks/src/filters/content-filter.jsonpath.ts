import {
  parseContentFilter,
  type ContentFilter,
  type FieldTest,
  type FilterNode,
  type FilterValue,
  type ParsedFilter,
} from './content-filter';

/** What the PostgreSQL fan-out matches a subscription's filter with; null without a filter. */
export function contentFilterJsonPath(filter: ContentFilter | null): string | null {
  return filter === null ? null : toJsonPathPredicate(parseContentFilter(filter));
}

/**
 * The filter as a PostgreSQL SQL/JSON path predicate, for `jsonb_path_match(data, path)`: the same
 * answers as `compileContentFilter` (proven against it in test/content-filter-agreement.e2e-spec.ts), so the
 * PostgreSQL outbox can filter inside its one statement. Every field test is an `exists` of the
 * path's items that pass it, true or false whatever the data's types: a comparison of a string with
 * a number is unknown in SQL/JSON, and `!unknown` would not mean "not equal".
 */
export function toJsonPathPredicate(filter: ParsedFilter): string {
  return conjunction(filter.map(node));
}

function node(filterNode: FilterNode): string {
  if (filterNode.kind === 'field') return field(pathOf(filterNode.path), filterNode.test);
  const parts = filterNode.nodes.map(node);
  if (filterNode.operator === '$and') return conjunction(parts);
  const any = `(${parts.join(' || ')})`;
  return filterNode.operator === '$or' ? any : negate(any);
}

function field(path: string, test: FieldTest): string {
  // Lax mode goes through an array at each step; the type test keeps it out of nested arrays.
  const itemsWhere = (condition: string) =>
    `exists(${path} ? (@.type() != "array" && (${condition})))`;
  switch (test.operator) {
    case 'eq':
      return itemsWhere(`@ == ${literal(test.value)}`);
    case 'ne':
      return negate(itemsWhere(`@ == ${literal(test.value)}`));
    case 'in':
      return itemsWhere(anyOf(test.values));
    case 'nin':
      return negate(itemsWhere(anyOf(test.values)));
    case 'all':
      return conjunction(test.values.map((value) => itemsWhere(`@ == ${literal(value)}`)));
    case 'gt':
      return itemsWhere(`@ > ${literal(test.value)}`);
    case 'gte':
      return itemsWhere(`@ >= ${literal(test.value)}`);
    case 'lt':
      return itemsWhere(`@ < ${literal(test.value)}`);
    case 'lte':
      return itemsWhere(`@ <= ${literal(test.value)}`);
    case 'exists':
      return test.value ? `exists(${path})` : negate(`exists(${path})`);
    case 'not':
      return negate(conjunction(test.tests.map((inner) => field(path, inner))));
  }
}

/** `!` takes a parenthesized predicate or an `exists(…)`, not another `!`. */
const negate = (predicate: string) =>
  predicate.startsWith('exists(') || predicate.startsWith('(')
    ? `!${predicate}`
    : `!(${predicate})`;

const anyOf = (values: FilterValue[]) =>
  values.map((value) => `@ == ${literal(value)}`).join(' || ');

const conjunction = (parts: string[]) =>
  parts.length === 1 ? parts[0] : `(${parts.join(' && ')})`;

/** `$."contact"."tags"`: every key quoted, so any key the filter accepts is one. */
const pathOf = (segments: string[]) =>
  `$${segments.map((segment) => `.${quote(segment)}`).join('')}`;

/**
 * JSON's string escapes are SQL/JSON path's, and the parser refused what it cannot hold (NUL, lone
 * surrogates). Numbers are written without an exponent's `+`, which the path grammar refuses.
 */
function literal(value: FilterValue): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return String(value).replace('e+', 'e');
  return String(value);
}

const quote = (text: string) => JSON.stringify(text);
