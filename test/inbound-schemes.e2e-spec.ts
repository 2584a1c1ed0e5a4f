import { createHmac } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bull';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  WEBHOOKS_INBOUND_QUEUE,
  WEBHOOKS_QUEUE,
  WebhookInboundService,
  WebhooksModule,
  type InboundSchemeDefinition,
} from 'nestjs-marketing-webhooks';
import { WebhookInboundEvent } from './support/internals';
import { isolatedDatabase, REDIS_URL, uniqueName } from './support/services';
import { webhooksHostImports } from './support/webhooks-host';
import { createEndpoint, postInbound, storedEvents } from './support/inbound';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const mac = (algorithm: string, secret: string, content: string) =>
  createHmac(algorithm, secret).update(content);

/** A host's own scheme: the secret, reversed, in `X-Reversed` (the test needs only a rule of its own). */
const reversedScheme: InboundSchemeDefinition = {
  name: 'reversed',
  verify: ({ headers, secrets }) => {
    const given = Buffer.from(headers['x-reversed'] ?? '');
    return secrets.some((secret) => {
      const expected = Buffer.from([...secret].reverse().join(''));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  },
  identify: ({ headers }) => ({ id: headers['x-event'] ?? null, type: 'reversed.event' }),
};

describe('inbound schemes for senders of every kind', () => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      options: { inbound: { schemes: [reversedScheme] } },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  it('hmac: header, algorithm, encoding and prefix as configured, over the body', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'hmac',
      secret: 'generic-secret',
      settings: {
        header: 'X-Signature',
        algorithm: 'sha512',
        encoding: 'base64',
        prefix: 'sha512=',
        idHeader: 'X-Event-Id',
        typeHeader: 'X-Event-Type',
      },
    });
    const body = '{"order":1}';
    const signature = `sha512=${mac('sha512', 'generic-secret', body).digest('base64')}`;
    const meta = { 'x-event-id': 'ord-1', 'x-event-type': 'order.paid' };
    await postInbound(http, endpoint.path, body, {
      'x-signature': signature.slice(7),
      ...meta,
    }).expect(401);
    await postInbound(http, endpoint.path, '{"order":2}', {
      'x-signature': signature,
      ...meta,
    }).expect(401);
    await postInbound(http, endpoint.path, body, {
      'x-signature': `sha512=${mac('sha512', 'other', body).digest('base64')}`,
      ...meta,
    }).expect(401);
    await postInbound(http, endpoint.path, body, meta).expect(401);
    await postInbound(http, endpoint.path, body, { 'x-signature': signature, ...meta }).expect(200);
    expect(await storedEvents(hooks, endpoint.id)).toEqual([
      expect.objectContaining({ body, providerEventId: 'ord-1', type: 'order.paid' }),
    ]);
  });

  it('hmac over `${timestamp}.${body}`, refusing an old timestamp', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'hmac',
      secret: 'timed-secret',
      settings: { header: 'X-Sig', signed: 'timestamp.body', timestampHeader: 'X-Timestamp' },
    });
    const body = '{"ping":true}';
    const sign = (timestamp: number) => ({
      'x-timestamp': String(timestamp),
      'x-sig': mac('sha256', 'timed-secret', `${timestamp}.${body}`).digest('hex'),
    });
    await postInbound(http, endpoint.path, body, sign(nowSeconds() - 360)).expect(401);
    const { 'x-sig': sig } = sign(nowSeconds());
    await postInbound(http, endpoint.path, body, { 'x-sig': sig }).expect(401);
    await postInbound(http, endpoint.path, body, sign(nowSeconds())).expect(200);
    // No provider id: the same body again is a duplicate within the window.
    await postInbound(http, endpoint.path, body, sign(nowSeconds())).expect(200);
    expect(await storedEvents(hooks, endpoint.id)).toHaveLength(1);
  });

  it('token: a shared token in a header, or as a bearer token in Authorization', async () => {
    const header = await createEndpoint(hooks, 'acme', { scheme: 'token' });
    const bearer = await createEndpoint(hooks, 'acme', {
      scheme: 'token',
      settings: { header: 'Authorization' },
    });
    await postInbound(http, header.path, '{}', { 'x-webhook-token': `${header.secret}x` }).expect(
      401,
    );
    await postInbound(http, header.path, '{}', {}).expect(401);
    await postInbound(http, header.path, '{}', { 'x-webhook-token': header.secret }).expect(200);
    await postInbound(http, bearer.path, '{}', { authorization: bearer.secret }).expect(401);
    await postInbound(http, bearer.path, '{}', { authorization: `Bearer ${bearer.secret}` }).expect(
      200,
    );
  });

  it('basic: HTTP Basic auth with the user and password of the secret', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'basic' });
    expect(endpoint.secret).toMatch(/^webhooks:/);
    const [user, password] = endpoint.secret.split(':');
    await request(http).post(endpoint.path).auth(user, `${password}x`).send({}).expect(401);
    await request(http).post(endpoint.path).send({}).expect(401);
    await request(http).post(endpoint.path).auth(user, password).send({ a: 1 }).expect(200);
    expect(await storedEvents(hooks, endpoint.id)).toHaveLength(1);
  });

  it('a scheme the host added through inbound.schemes', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'reversed',
      secret: 'abcdefgh',
    });
    await postInbound(http, endpoint.path, '{}', {
      'x-reversed': 'abcdefgh',
      'x-event': 'e1',
    }).expect(401);
    await postInbound(http, endpoint.path, '{}', {
      'x-reversed': 'hgfedcba',
      'x-event': 'e1',
    }).expect(200);
    expect(await storedEvents(hooks, endpoint.id)).toEqual([
      expect.objectContaining({ providerEventId: 'e1', type: 'reversed.event' }),
    ]);
  });
});

/** A route of the host's own, to show its JSON bodies are still parsed. */
@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown): unknown {
    return { parsed: body };
  }
}

describe('inbound raw body whatever the host’s body parser does', () => {
  it('keeps the bytes of JSON requests in an app made by NestFactory.create without rawBody', async () => {
    const database = await isolatedDatabase('sqlite');
    @Module({
      imports: webhooksHostImports({
        typeorm: database.typeorm,
        redisUrl: REDIS_URL,
        bullPrefix: uniqueName('bull'),
        webhooks: WebhooksModule.forRoot({ worker: false }),
      }),
      controllers: [EchoController],
    })
    class HostModule {}
    const app = await NestFactory.create(HostModule, { logger: ['error'] });
    try {
      app.setGlobalPrefix('api');
      await app.init();
      const http = app.getHttpServer() as App;
      const endpoint = await app
        .get(WebhookInboundService)
        .create({ tenantId: 'acme' }, { scheme: 'token' });
      const path = `/api${endpoint.path}`;
      const body = '{ "spaced" :  "json, kept byte for byte" }';
      await postInbound(http, path, body, { 'x-webhook-token': endpoint.secret! }).expect(200);
      await postInbound(http, path, body, { 'x-webhook-token': 'wrong' }).expect(401);
      await postInbound(http, path, `"${'x'.repeat(1024 * 1024)}"`, {
        'x-webhook-token': endpoint.secret!,
      }).expect(413);
      const stored = await app
        .get(getDataSourceToken())
        .getRepository(WebhookInboundEvent)
        .findBy({ endpointId: endpoint.id });
      expect(stored.map((event: WebhookInboundEvent) => event.body)).toEqual([body]);
      await request(http)
        .post('/api/echo')
        .send({ a: 1 })
        .expect(201, { parsed: { a: 1 } });
    } finally {
      for (const name of [WEBHOOKS_QUEUE, WEBHOOKS_INBOUND_QUEUE]) {
        await app
          .get<Queue>(getQueueToken(name))
          .obliterate({ force: true })
          .catch(() => undefined);
      }
      await app.close();
    }
  });

  it('reads the stream itself when the host turned its body parser off', async () => {
    const hooks = await createWebhooksApp({
      database: 'sqlite',
      appOptions: { bodyParser: false },
    });
    try {
      const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'token' });
      const http = hooks.app.getHttpServer() as App;
      const body = '{ "spaced" :  "json, kept byte for byte" }';
      await postInbound(http, endpoint.path, body, { 'x-webhook-token': endpoint.secret }).expect(
        200,
      );
      expect((await storedEvents(hooks, endpoint.id)).map((event) => event.body)).toEqual([body]);
    } finally {
      await hooks.close();
    }
  });

  it('answers 500 and stores nothing when a parser consumed JSON before the module could see it (a testing module without rawBody)', async () => {
    const hooks = await createWebhooksApp({ database: 'sqlite' });
    try {
      const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'token' });
      const http = hooks.app.getHttpServer() as App;
      await postInbound(http, endpoint.path, '{"a":1}', {
        'x-webhook-token': endpoint.secret,
      }).expect(500);
      expect(await storedEvents(hooks, endpoint.id)).toEqual([]);
    } finally {
      await hooks.close();
    }
  });
});
