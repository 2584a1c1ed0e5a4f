import { DataSource } from 'typeorm';
import { UnsupportedDatabaseError, WebhooksError } from '../webhooks.errors';
import { sqlDialectOf } from './storage.providers';

describe('sqlDialectOf', () => {
  it('refuses a database the library does not support with a typed library error', () => {
    // Never initialized: the dialect is chosen from the options alone.
    const cockroach = new DataSource({
      type: 'cockroachdb',
      url: 'postgresql://127.0.0.1:1/none',
      timeTravelQueries: false,
    });
    let refusal: unknown;
    try {
      sqlDialectOf(cockroach);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(UnsupportedDatabaseError);
    expect(refusal).toBeInstanceOf(WebhooksError);
    expect(refusal).toMatchObject({
      name: 'UnsupportedDatabaseError',
      code: 'database_unsupported',
      message:
        'nestjs-marketing-webhooks supports PostgreSQL, MySQL/MariaDB and SQLite, not cockroachdb',
    });
  });
});
