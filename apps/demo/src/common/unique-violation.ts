import { QueryFailedError } from 'typeorm';

/** True when a write failed on a unique constraint (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  const code =
    driverError !== null && typeof driverError === 'object' && 'code' in driverError
      ? driverError.code
      : undefined;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
