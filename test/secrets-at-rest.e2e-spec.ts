import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook, WEBHOOK_ENTITIES } from 'nestjs-marketing-webhooks';
import { eventually } from './support/eventually';
import { createEndpoint, postInbound } from './support/inbound';
import {
  resolveWebhooksOptions,
  SecretsReencryptor,
  SubscriptionSecrets,
  WebhookInboundEndpoint,
  WebhookSubscription,
} from './support/internals';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import {
  createSubscription,
  waitForDelivery,
  type CreatedSubscription,
} from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const K1 = { id: 'k1', key: randomBytes(32).toString('base64') };
const K2 = { id: 'k2', key: randomBytes(32).toString('base64') };
const ENVELOPE_BY_K2 = /^enc:v1:k2:[\w-]+:[\w-]+:[\w-]+$/;

/** Header values only the receiver knows: none may be found in the database. */
function receiverHeaders(): Record<string, string> {
  return {
    Authorization: `Bearer receiver-token-${randomBytes(12).toString('hex')}`,
    'X-Api-Key': `api-key-${randomBytes(12).toString('hex')}`,
  };
}

/** The key material of a secret: what must not appear anywhere, with or without its prefix. */
function secretBody(secret: string): string {
  return secret.replace(/^whsec_/, '');
}

describe.each(TEST_DATABASES)('secrets at rest on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;
  /** An inbound endpoint's secrets, current and previous: they must not be stored in clear either. */
  const inboundSecrets: string[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      appOptions: { rawBody: true },
      options: { security: { encryptionKeys: [K2, K1] } },
    });
    http = hooks.app.getHttpServer() as App;
    // The worker's start-up pass, over an empty table: done before the tests write rows of their own.
    await eventually(
      async () => (await hooks.queue.getJob(`reencrypt-secrets:${K2.id}`)) === null,
      { what: 'the start-up re-encryption pass' },
    );
    const inbound = await createEndpoint(hooks, 'default', { scheme: 'token' });
    const rotated = await request(http)
      .post(`/webhooks/inbound/${inbound.id}/rotate-secret`)
      .expect(200);
    inboundSecrets.push(inbound.secret, rotated.body.secret as string);
    await postInbound(http, inbound.path, '{"n":1}', {
      'x-webhook-token': rotated.body.secret as string,
    }).expect(200);
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  /** Every column of every row of every table of the module, read with raw SQL. */
  async function dumpTables(): Promise<string> {
    const driver = hooks.dataSource.driver;
    const dumps: string[] = [];
    for (const entity of WEBHOOK_ENTITIES) {
      const { tablePath } = hooks.dataSource.getMetadata(entity);
      const table = tablePath
        .split('.')
        .map((part) => driver.escape(part))
        .join('.');
      const rows = await hooks.dataSource.query<Array<Record<string, unknown>>>(
        `SELECT * FROM ${table}`,
      );
      expect(rows.length).toBeGreaterThan(0);
      dumps.push(JSON.stringify(rows));
    }
    return dumps.join('\n');
  }

  async function storedRow(id: string): Promise<Record<string, unknown>> {
    const { tablePath } = hooks.dataSource.getMetadata(WebhookSubscription);
    const driver = hooks.dataSource.driver;
    const table = tablePath
      .split('.')
      .map((part) => driver.escape(part))
      .join('.');
    const [row] = await hooks.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT * FROM ${table} WHERE ${driver.escape('id')} = ${driver.createParameter('id', 0)}`,
      [id],
    );
    return row;
  }

  function storedHeaders(row: Record<string, unknown>): Record<string, string> {
    const headers = row.headers;
    return (typeof headers === 'string' ? JSON.parse(headers) : headers) as Record<string, string>;
  }

  async function emitAndReceive(listId: string, path: string) {
    const before = receiver.received(path).length;
    await hooks.webhooks.emit({
      listId,
      type: 'contact.subscribed',
      source: 'api',
      data: { n: 1 },
    });
    const received = await receiver.waitFor(before + 1, { path });
    return received[before];
  }

  it('stores no secret and no header value in clear, and deliveries still arrive signed with them', async () => {
    const headers = receiverHeaders();
    const created: CreatedSubscription = await createSubscription(hooks, 'clear', {
      url: receiver.url('/clear'),
      events: ['contact.subscribed'],
      headers,
    });
    const rotated = await request(http)
      .post(`/lists/clear/webhooks/${created.id}/rotate-secret`)
      .expect(200);
    const secret = rotated.body.secret as string;
    const previousSecret = created.secret;

    const shown = await request(http).get(`/lists/clear/webhooks/${created.id}`).expect(200);
    expect(shown.body.headers).toEqual(headers);
    const read = await request(http).get(`/lists/clear/webhooks/${created.id}/secret`).expect(200);
    expect(read.body.secret).toBe(secret);

    const delivery = await emitAndReceive('clear', '/clear');
    expect(verifyWebhook(secret, delivery.body, delivery.headers).id).toBe(
      delivery.headers['webhook-id'],
    );
    expect(() => verifyWebhook(previousSecret, delivery.body, delivery.headers)).not.toThrow();
    expect(delivery.headers.authorization).toBe(headers.Authorization);
    expect(delivery.headers['x-api-key']).toBe(headers['X-Api-Key']);
    await waitForDelivery(hooks, 'clear', created.id, 'succeeded');

    const dump = await dumpTables();
    for (const value of [secret, previousSecret, ...Object.values(headers), ...inboundSecrets]) {
      expect(dump).not.toContain(value);
    }
    expect(dump).not.toContain(secretBody(secret));
    expect(dump).not.toContain(secretBody(previousSecret));

    const row = await storedRow(created.id);
    expect(row.secret).toMatch(ENVELOPE_BY_K2);
    expect(row.previousSecret).toMatch(ENVELOPE_BY_K2);
    const stored = storedHeaders(row);
    expect(Object.keys(stored)).toEqual(Object.keys(headers));
    for (const value of Object.values(stored)) expect(value).toMatch(ENVELOPE_BY_K2);
  });

  it('re-encrypts with the first key the rows stored in clear or under an older key', async () => {
    const plainHeaders = receiverHeaders();
    const oldKeyHeaders = receiverHeaders();
    const [plain, oldKey, current] = await Promise.all(
      ['/plain', '/old-key', '/current'].map((path, index) =>
        createSubscription(hooks, 'rekey', {
          url: receiver.url(path),
          events: ['contact.subscribed'],
          headers: [plainHeaders, oldKeyHeaders, receiverHeaders()][index],
        }),
      ),
    );
    // As an install without a key ring left it, and as a process with only k1 wrote it.
    const subscriptions = hooks.dataSource.getRepository(WebhookSubscription);
    await subscriptions.update(plain.id, { secret: plain.secret, headers: plainHeaders });
    const k1Only = new SubscriptionSecrets(
      resolveWebhooksOptions({ security: { encryptionKeys: [K1] } }),
    );
    await subscriptions.update(
      oldKey.id,
      k1Only.seal(oldKey.id, { secret: oldKey.secret, headers: oldKeyHeaders }),
    );
    expect((await storedRow(plain.id)).secret).toBe(plain.secret);
    expect((await storedRow(oldKey.id)).secret).toMatch(/^enc:v1:k1:/);
    const updatedAt = (await storedRow(oldKey.id)).updatedAt;

    // Both are read as they are meanwhile.
    const shownPlain = await request(http).get(`/lists/rekey/webhooks/${plain.id}`).expect(200);
    expect(shownPlain.body.headers).toEqual(plainHeaders);
    const shownOld = await request(http).get(`/lists/rekey/webhooks/${oldKey.id}/secret`);
    expect(shownOld.body.secret).toBe(oldKey.secret);

    // An inbound endpoint stored in clear, as before the key ring.
    const inbound = await createEndpoint(hooks, 'default', { scheme: 'token' });
    const endpoints = hooks.dataSource.getRepository(WebhookInboundEndpoint);
    await endpoints.update(inbound.id, { secret: inbound.secret });
    expect((await endpoints.findOneByOrFail({ id: inbound.id })).secret).toBe(inbound.secret);

    const reencryptor = hooks.app.get(SecretsReencryptor);
    expect(await reencryptor.reencrypt()).toEqual({ reencrypted: 3 });
    expect((await endpoints.findOneByOrFail({ id: inbound.id })).secret).toMatch(ENVELOPE_BY_K2);
    await request(http)
      .get(`/webhooks/inbound/${inbound.id}/secret`)
      .expect(200, { secret: inbound.secret });
    expect(await reencryptor.reencrypt()).toEqual({ reencrypted: 0 });

    for (const subscription of [plain, oldKey, current]) {
      const row = await storedRow(subscription.id);
      expect(row.secret).toMatch(ENVELOPE_BY_K2);
      for (const value of Object.values(storedHeaders(row))) expect(value).toMatch(ENVELOPE_BY_K2);
    }
    expect((await storedRow(oldKey.id)).updatedAt).toEqual(updatedAt);
    const dump = await dumpTables();
    for (const value of [
      ...[plain, oldKey, current].map((subscription) => secretBody(subscription.secret)),
      ...Object.values(plainHeaders),
      ...Object.values(oldKeyHeaders),
    ]) {
      expect(dump).not.toContain(value);
    }

    const seen = {
      plain: receiver.received('/plain').length,
      old: receiver.received('/old-key').length,
    };
    await hooks.webhooks.emit({
      listId: 'rekey',
      type: 'contact.subscribed',
      source: 'api',
      data: {},
    });
    for (const [subscription, headers, path, before] of [
      [plain, plainHeaders, '/plain', seen.plain],
      [oldKey, oldKeyHeaders, '/old-key', seen.old],
    ] as const) {
      const delivery = (await receiver.waitFor(before + 1, { path }))[before];
      expect(verifyWebhook(subscription.secret, delivery.body, delivery.headers).id).toBe(
        delivery.headers['webhook-id'],
      );
      expect(delivery.headers.authorization).toBe(headers.Authorization);
    }
  });

  it('encrypts headers changed by PATCH as well', async () => {
    const created = await createSubscription(hooks, 'patch', {
      url: receiver.url('/patch'),
      events: ['contact.subscribed'],
    });
    const headers = receiverHeaders();
    const patched = await request(http)
      .patch(`/lists/patch/webhooks/${created.id}`)
      .send({ headers })
      .expect(200);
    expect(patched.body.headers).toEqual(headers);
    const stored = storedHeaders(await storedRow(created.id));
    for (const value of Object.values(stored)) expect(value).toMatch(ENVELOPE_BY_K2);
    const dump = await dumpTables();
    for (const value of Object.values(headers)) expect(dump).not.toContain(value);
  });

  /** A 500 that names the error's code, and nothing of its message, which is logged instead. */
  async function expectServerFault(path: string, code: string, loggedMessage: RegExp) {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const response = await request(http).get(path).expect(500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code,
        message: ['Internal server error'],
      });
      const logs = logged.mock.calls.map(([message], call) => ({
        context: (logged.mock.contexts[call] as unknown as { context?: string }).context,
        message: message as unknown,
      }));
      expect(logs).toContainEqual({
        context: 'WebhooksAdmin',
        message: expect.stringMatching(loggedMessage),
      });
    } finally {
      logged.mockRestore();
    }
  }

  it('refuses an encrypted value moved to another row', async () => {
    const [from, to] = await Promise.all(
      ['/from', '/to'].map((path) =>
        createSubscription(hooks, 'moved', {
          url: receiver.url(path),
          events: ['contact.subscribed'],
        }),
      ),
    );
    const stolen = (await storedRow(from.id)).secret as string;
    await hooks.dataSource.getRepository(WebhookSubscription).update(to.id, { secret: stolen });
    await expectServerFault(
      `/lists/moved/webhooks/${to.id}/secret`,
      'secret_decryption_failed',
      new RegExp(`a stored secret \\(webhook_subscriptions\\.secret:${to.id}\\) failed`),
    );
    await request(http).get(`/lists/moved/webhooks/${from.id}/secret`).expect(200);
  });

  it('answers 500 for a value sealed with a key that is not in the ring', async () => {
    const created = await createSubscription(hooks, 'lost-key', {
      url: receiver.url('/lost-key'),
      events: ['contact.subscribed'],
    });
    const lostKey = { id: 'k0', key: randomBytes(32).toString('base64') };
    const sealedByLostKey = new SubscriptionSecrets(
      resolveWebhooksOptions({ security: { encryptionKeys: [lostKey] } }),
    ).seal(created.id, { secret: created.secret, headers: {} });
    await hooks.dataSource.getRepository(WebhookSubscription).update(created.id, sealedByLostKey);
    await expectServerFault(
      `/lists/lost-key/webhooks/${created.id}/secret`,
      'encryption_key_unknown',
      /encrypted with key "k0"/,
    );
  });
});
