/**
 * The smallest UUIDv7 of a given millisecond: `id >= uuidv7LowerBound(t)` selects rows created at or
 * after `t` from time-ordered ids, with no time zone or database clock involved.
 */
export function uuidv7LowerBound(date: Date): string {
  const hex = Math.max(0, date.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}
