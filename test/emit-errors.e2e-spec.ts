import {
  InvalidWebhookEventError,
  WebhookStorageError,
  WebhooksError,
  type EmitWebhookEvent,
} from 'nestjs-marketing-webhooks';
import { DATABASE_URL, MYSQL_URL, TEST_DATABASES } from './support/services';
import { TcpProxy } from './support/tcp-proxy';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const event: EmitWebhookEvent = {
  listId: 'errors',
  type: 'contact.updated',
  source: 'api',
  data: { contact: { id: 1 } },
};

async function emitError(hooks: WebhooksTestApp, input: EmitWebhookEvent): Promise<unknown> {
  return hooks.webhooks.emit(input).then(
    () => 'stored',
    (error: unknown) => error,
  );
}

/** `emit` throws typed errors only, whatever the input or the state of the database (issue 18). */
describe.each(TEST_DATABASES)('emit errors on %s', (database) => {
  describe('input no database can store', () => {
    let hooks: WebhooksTestApp;
    beforeAll(async () => {
      hooks = await createWebhooksApp({ database });
    });
    afterAll(() => hooks.close());

    it.each([
      ['listId', { listId: 'a\u0000b' }],
      ['tenantId', { tenantId: 'acme\u0000' }],
      ['occurredAt', { occurredAt: new Date('0999-12-31T23:59:59Z') }],
      ['occurredAt', { occurredAt: new Date('+010000-01-01T00:00:00Z') }],
      ['occurredAt', { occurredAt: new Date(8.64e15) }],
    ])('refuses a bad %s with InvalidWebhookEventError', async (field, change) => {
      const error = await emitError(hooks, { ...event, ...change });
      expect(error).toBeInstanceOf(InvalidWebhookEventError);
      expect((error as InvalidWebhookEventError).field).toBe(field);
    });

    it('stores the dates at both ends of the range', async () => {
      for (const occurredAt of ['1000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
        expect(await emitError(hooks, { ...event, occurredAt: new Date(occurredAt) })).toBe(
          'stored',
        );
      }
    });

    it('fails only the bad event of a batch emitted together', async () => {
      const outcomes = await Promise.all([
        emitError(hooks, event),
        emitError(hooks, { ...event, listId: 'bad\u0000' }),
        emitError(hooks, event),
      ]);
      expect(outcomes[0]).toBe('stored');
      expect(outcomes[1]).toBeInstanceOf(InvalidWebhookEventError);
      expect(outcomes[2]).toBe('stored');
    });
  });

  describe('a database outage', () => {
    let hooks: WebhooksTestApp;
    let proxy: TcpProxy | undefined;
    beforeAll(async () => {
      if (database !== 'sqlite')
        proxy = await TcpProxy.start(database === 'postgres' ? DATABASE_URL : MYSQL_URL);
      hooks = await createWebhooksApp({
        database,
        databaseUrl: proxy && ((url) => proxy!.url(url)),
        options: { worker: false },
      });
    });
    afterAll(() => hooks.close());

    it('throws WebhookStorageError, with the driver error as cause, when the database is gone', async () => {
      expect(await emitError(hooks, event)).toBe('stored');
      if (proxy) await proxy.cut();
      else await hooks.dataSource.destroy();
      for (const manager of [undefined, hooks.dataSource.manager]) {
        const error = await hooks.webhooks.emit(event, { manager }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WebhookStorageError);
        expect(error).toBeInstanceOf(WebhooksError);
        expect((error as WebhookStorageError).code).toBe('storage_unavailable');
        expect((error as Error).message).toContain('not stored');
        // The driver's own error (from Node's realm: toBeInstanceOf(Error) cannot tell).
        expect((error as Error).cause).toMatchObject({ message: expect.any(String) });
      }
    });
  });
});
