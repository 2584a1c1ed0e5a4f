import { LONE_SURROGATE } from '../common/unstorable-text';

/** A value a content filter compares with. `null` is not one: `$exists` tells absent from present. */
export type FilterValue = string | number | boolean;

/** Operators on one field of the event's data (MongoDB's, a subset). */
export interface FieldOperators {
  $eq?: FilterValue;
  $ne?: FilterValue;
  $in?: FilterValue[];
  $nin?: FilterValue[];
  $all?: FilterValue[];
  $gt?: number;
  $gte?: number;
  $lt?: number;
  $lte?: number;
  $exists?: boolean;
  $not?: FieldOperators;
}

/** A value (equality) or operators. */
export type FieldCondition = FilterValue | FieldOperators;

/**
 * Which events a subscription receives, by their data: MongoDB's query syntax over `data`, a subset.
 * Keys are dotted paths (`contact.fields.country`); every condition of an object must hold. A path
 * through an array matches when any element does, as in MongoDB. See docs/filters.md.
 */
export interface ContentFilter {
  $and?: ContentFilter[];
  $or?: ContentFilter[];
  $nor?: ContentFilter[];
  [path: string]: FieldCondition | ContentFilter[] | undefined;
}

export const FILTER_LIMITS = {
  /** The filter as JSON, in characters. */
  maxLength: 4_096,
  /** Field conditions in all (each operator of a field counts once). */
  maxConditions: 32,
  /** `$and` / `$or` / `$nor` inside one another. */
  maxLogicalDepth: 3,
  /** Values of one `$in`, `$nin` or `$all`. */
  maxValues: 100,
  /** Characters of a string value. */
  maxValueLength: 500,
  /** Segments of a dotted path. */
  maxPathSegments: 10,
} as const;

export const LOGICAL_OPERATORS = ['$and', '$or', '$nor'] as const;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

const VALUE_OPERATORS = ['$eq', '$ne'] as const;
const LIST_OPERATORS = ['$in', '$nin', '$all'] as const;
const RANGE_OPERATORS = ['$gt', '$gte', '$lt', '$lte'] as const;
export const FIELD_OPERATORS = [
  ...VALUE_OPERATORS,
  ...LIST_OPERATORS,
  ...RANGE_OPERATORS,
  '$exists',
  '$not',
] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** A filter as the library evaluates it: checked, paths split, equality made explicit. */
export type FilterNode =
  | { kind: 'logical'; operator: LogicalOperator; nodes: FilterNode[] }
  | { kind: 'field'; path: string[]; test: FieldTest };

export type FieldTest =
  | { operator: 'eq' | 'ne'; value: FilterValue }
  | { operator: 'in' | 'nin' | 'all'; values: FilterValue[] }
  | { operator: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { operator: 'exists'; value: boolean }
  | { operator: 'not'; tests: FieldTest[] };

/** Every condition of `filter`, as one `$and` of nodes. */
export type ParsedFilter = FilterNode[];

export class ContentFilterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const SEGMENT = /^[^.$][^.]*$/;
const DIGITS = /^\d+$/;

/**
 * Checks a filter and reads it into nodes, or throws `ContentFilterError` whose problems each name
 * where they are (`filter.contact.tags.$in`). `field` is the name of the input holding the filter.
 */
export function parseContentFilter(value: unknown, field = 'filter'): ParsedFilter {
  const problems: string[] = [];
  let conditions = 0;

  const isPlainObject = (candidate: unknown): candidate is Record<string, unknown> =>
    typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate);

  const scalarProblem = (candidate: unknown): string | undefined => {
    if (typeof candidate === 'boolean') return undefined;
    if (typeof candidate === 'number') {
      return Number.isFinite(candidate) ? undefined : 'must be a finite number';
    }
    if (typeof candidate === 'string') {
      if (candidate.length > FILTER_LIMITS.maxValueLength)
        return `must be at most ${FILTER_LIMITS.maxValueLength} characters`;
      if (LONE_SURROGATE.test(candidate) || candidate.includes('\u0000'))
        return 'must be a string of well-formed Unicode without NUL characters';
      return undefined;
    }
    return typeof candidate === 'object' && candidate !== null
      ? 'must be a string, a number or a boolean (a dotted path reaches nested fields)'
      : 'must be a string, a number or a boolean (use $exists for absent fields)';
  };

  const readScalar = (candidate: unknown, at: string): FilterValue | undefined => {
    const problem = scalarProblem(candidate);
    if (problem) {
      problems.push(`${at} ${problem}`);
      return undefined;
    }
    return candidate as FilterValue;
  };

  const readTests = (operators: Record<string, unknown>, at: string): FieldTest[] => {
    const keys = Object.keys(operators);
    if (keys.length === 0) problems.push(`${at} must have at least one operator`);
    const tests: FieldTest[] = [];
    for (const key of keys) {
      const operand = operators[key];
      const here = `${at}.${key}`;
      conditions += 1;
      if (key === '$eq' || key === '$ne') {
        const scalar = readScalar(operand, here);
        if (scalar !== undefined)
          tests.push({ operator: key === '$eq' ? 'eq' : 'ne', value: scalar });
      } else if (key === '$in' || key === '$nin' || key === '$all') {
        if (
          !Array.isArray(operand) ||
          operand.length === 0 ||
          operand.length > FILTER_LIMITS.maxValues
        ) {
          problems.push(
            `${here} must be an array of 1 to ${FILTER_LIMITS.maxValues} strings, numbers or booleans`,
          );
          continue;
        }
        const values = operand.map((item, index) => readScalar(item, `${here}[${index}]`));
        if (values.every((item) => item !== undefined)) {
          tests.push({ operator: key.slice(1) as 'in' | 'nin' | 'all', values });
        }
      } else if (key === '$gt' || key === '$gte' || key === '$lt' || key === '$lte') {
        if (typeof operand !== 'number' || !Number.isFinite(operand)) {
          problems.push(`${here} must be a finite number`);
        } else
          tests.push({ operator: key.slice(1) as 'gt' | 'gte' | 'lt' | 'lte', value: operand });
      } else if (key === '$exists') {
        if (typeof operand !== 'boolean') problems.push(`${here} must be true or false`);
        else tests.push({ operator: 'exists', value: operand });
      } else if (key === '$not') {
        conditions -= 1;
        if (
          !isPlainObject(operand) ||
          Object.keys(operand).some((inner) => !inner.startsWith('$'))
        ) {
          problems.push(`${here} must be an object of operators, e.g. { "$in": [...] }`);
        } else if ('$not' in operand) {
          problems.push(`${here} must not hold another $not`);
        } else tests.push({ operator: 'not', tests: readTests(operand, here) });
      } else {
        problems.push(`${here} is not a supported operator (${FIELD_OPERATORS.join(', ')})`);
      }
    }
    return tests;
  };

  const readPath = (key: string, at: string): string[] | undefined => {
    const segments = key.split('.');
    if (segments.length > FILTER_LIMITS.maxPathSegments) {
      problems.push(`${at} has more than ${FILTER_LIMITS.maxPathSegments} path segments`);
      return undefined;
    }
    const bad = segments.find(
      (segment) =>
        !SEGMENT.test(segment) ||
        DIGITS.test(segment) ||
        LONE_SURROGATE.test(segment) ||
        segment.includes('\u0000'),
    );
    if (bad !== undefined) {
      problems.push(
        `${at} is not a field path: segments separated by dots, none empty, starting with $ or all digits`,
      );
      return undefined;
    }
    return segments;
  };

  const readFilter = (candidate: unknown, at: string, depth: number): FilterNode[] => {
    if (!isPlainObject(candidate)) {
      problems.push(`${at} must be an object of conditions`);
      return [];
    }
    if (Object.keys(candidate).length === 0) {
      problems.push(`${at} must have at least one condition`);
      return [];
    }
    const nodes: FilterNode[] = [];
    for (const [key, inner] of Object.entries(candidate)) {
      const here = `${at}.${key}`;
      if ((LOGICAL_OPERATORS as readonly string[]).includes(key)) {
        if (depth >= FILTER_LIMITS.maxLogicalDepth) {
          problems.push(
            `${here} nests more than ${FILTER_LIMITS.maxLogicalDepth} logical operators`,
          );
        } else if (!Array.isArray(inner) || inner.length === 0) {
          problems.push(`${here} must be a non-empty array of filters`);
        } else {
          nodes.push({
            kind: 'logical',
            operator: key as LogicalOperator,
            nodes: inner.map((item, index) => ({
              kind: 'logical',
              operator: '$and',
              nodes: readFilter(item, `${here}[${index}]`, depth + 1),
            })),
          });
        }
        continue;
      }
      if (key.startsWith('$')) {
        problems.push(
          `${here} is not supported at this level (${LOGICAL_OPERATORS.join(', ')} or a field path)`,
        );
        continue;
      }
      const path = readPath(key, here);
      if (!path) continue;
      if (isPlainObject(inner) && Object.keys(inner).some((name) => name.startsWith('$'))) {
        if (Object.keys(inner).some((name) => !name.startsWith('$'))) {
          problems.push(`${here} must hold either operators or a value, not both`);
          continue;
        }
        const tests = readTests(inner, here);
        nodes.push(...tests.map((test) => ({ kind: 'field' as const, path, test })));
      } else {
        conditions += 1;
        const scalar = readScalar(inner, here);
        if (scalar !== undefined)
          nodes.push({ kind: 'field', path, test: { operator: 'eq', value: scalar } });
      }
    }
    return nodes;
  };

  const serialized = JSON.stringify(value);
  if (serialized !== undefined && serialized.length > FILTER_LIMITS.maxLength) {
    throw new ContentFilterError([
      `${field} must be at most ${FILTER_LIMITS.maxLength} characters as JSON`,
    ]);
  }
  const nodes = readFilter(value, field, 0);
  if (conditions > FILTER_LIMITS.maxConditions) {
    problems.push(`${field} must have at most ${FILTER_LIMITS.maxConditions} conditions`);
  }
  if (problems.length > 0) throw new ContentFilterError(problems);
  return nodes;
}
