/** The first patch of each MariaDB series whose native `uuid` sorts UUIDv7 values in time order. */
const FIXED_IN: Record<string, number> = {
  '10.10': 7,
  '10.11': 6,
  '11.0': 4,
  '11.1': 3,
  '11.2': 2,
};

/**
 * Whether a MariaDB server's native `uuid` type (10.7 and later, which TypeORM uses for `type:
 * 'mariadb'`) sorts UUIDv7 ids out of time order: from 10.7 it stored every UUID byte-swapped for
 * version 1's sake (MDEV-29959), and the first fix compared version 7 ones wrongly (MDEV-31926).
 * Ordering per key and the delivery log's order rely on ids sorting in emit order.
 */
export function mariaDbSortsUuidv7OutOfOrder(version: string): boolean {
  const [major, minor, patch] = version.split(/[.-]/).map(Number);
  if (major !== 10 && major !== 11) return false;
  if (major === 10 && minor < 7) return false;
  const series = `${major}.${minor}`;
  if (major === 10 && minor <= 9) return true;
  const fixedIn = FIXED_IN[series];
  return fixedIn !== undefined && patch < fixedIn;
}
