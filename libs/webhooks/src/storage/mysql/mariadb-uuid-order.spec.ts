import { mariaDbSortsUuidv7OutOfOrder } from './mariadb-uuid-order';

describe('mariaDbSortsUuidv7OutOfOrder', () => {
  it.each([
    '10.7.1',
    '10.9.8',
    '10.10.6',
    '10.11.0',
    '10.11.5-MariaDB',
    '11.0.3',
    '11.1.2',
    '11.2.1',
  ])('is true for %s', (version) => expect(mariaDbSortsUuidv7OutOfOrder(version)).toBe(true));

  it.each([
    '10.5.22',
    '10.6.18',
    '10.10.7',
    '10.11.6',
    '10.11.19-MariaDB-0+deb12u1',
    '11.0.4',
    '11.4.2',
    '12.0.1',
  ])('is false for %s', (version) => expect(mariaDbSortsUuidv7OutOfOrder(version)).toBe(false));
});
