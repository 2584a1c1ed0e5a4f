import { getQueueToken } from '@nestjs/bull';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AppModule } from '../apps/demo/src/app.module';
import { BOUNCES_QUEUE } from '../apps/demo/src/bounces/bounces.queue';
import { CAMPAIGNS_QUEUE } from '../apps/demo/src/campaigns/campaigns.queue';
import { setupOpenApi } from '../apps/demo/src/docs/openapi.setup';
import { WEBHOOKS_QUEUE } from '../src';
import { eventually } from './support/eventually';
import { ChildHandle, freePort, startPrivateRedis } from './support/processes';

const LIBRARY_ROUTES: Array<[string, string]> = [
  ['get', '/webhooks/event-types'],
  ['post', '/lists/{listId}/webhooks'],
  ['get', '/lists/{listId}/webhooks'],
  ['get', '/lists/{listId}/webhooks/{id}'],
  ['patch', '/lists/{listId}/webhooks/{id}'],
  ['delete', '/lists/{listId}/webhooks/{id}'],
  ['get', '/lists/{listId}/webhooks/{id}/secret'],
  ['get', '/lists/{listId}/webhooks/{id}/deliveries'],
  ['post', '/lists/{listId}/webhooks/{id}/test'],
  ['post', '/lists/{listId}/webhooks/{id}/deliveries/{deliveryId}/redeliver'],
  ['post', '/lists/{listId}/webhooks/{id}/recover'],
  ['post', '/lists/{listId}/webhooks/{id}/rotate-secret'],
  ['post', '/lists/{listId}/webhooks/{id}/verify'],
  ['post', '/webhooks/inbound'],
  ['get', '/webhooks/inbound'],
  ['get', '/webhooks/inbound/{id}'],
  ['patch', '/webhooks/inbound/{id}'],
  ['delete', '/webhooks/inbound/{id}'],
  ['get', '/webhooks/inbound/{id}/secret'],
  ['post', '/webhooks/inbound/{id}/rotate-secret'],
  ['get', '/webhooks/inbound/{id}/events'],
  ['get', '/webhooks/inbound/{id}/events/{eventId}'],
  ['post', '/webhooks/inbound/{id}/events/{eventId}/replay'],
];

/**
 * Every Redis connection the app's Bull queues have opened is ready. Bull's `close()` drops and
 * reopens its blocking connection: done while that connection is still reconnecting, it can hang
 * (a CI run's `app.close()` did, after the Redis restart below).
 */
function queueConnectionsReady(app: INestApplication): boolean {
  return [WEBHOOKS_QUEUE, BOUNCES_QUEUE, CAMPAIGNS_QUEUE].every((name) => {
    const queue = app.get<Queue>(getQueueToken(name), { strict: false });
    const { clients } = queue as Queue & { clients: Array<{ status: string }> };
    return clients.every((client) => client.status === 'ready');
  });
}

interface OpenApiOperation {
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  requestBody?: unknown;
}

/** The demo as an operator sees it: OpenAPI docs, queue dashboard, health and metrics endpoints. */
describe('ecosystem endpoints of the demo', () => {
  let app: INestApplication;
  let http: App;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const port = await freePort();
    app = await NestFactory.create(
      AppModule.register({
        PORT: String(port),
        DATABASE_URL: '',
        DEMO_SQLITE_PATH: ':memory:',
        DEMO_BULL_PREFIX: `eco_${randomBytes(4).toString('hex')}`,
        REDIS_URL: redis.url,
      }),
      { rawBody: true, logger: false },
    );
    setupOpenApi(app);
    await app.listen(port, '127.0.0.1');
    http = app.getHttpServer() as App;
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await redis.handle.kill('SIGTERM');
  }, 60_000);

  it('serves an OpenAPI document with every admin route, its request and response schemas and its errors', async () => {
    const { body } = await request(http).get('/docs-json').expect(200);
    const paths = body.paths as Record<string, Record<string, OpenApiOperation>>;
    for (const [method, path] of LIBRARY_ROUTES) {
      const operation = paths[path]?.[method];
      expect({ route: `${method} ${path}`, documented: operation !== undefined }).toEqual({
        route: `${method} ${path}`,
        documented: true,
      });
      const success = Object.keys(operation.responses).find((status) => status.startsWith('2'));
      expect(success).toBeDefined();
      expect(operation.responses['400'] ?? operation.responses['403']).toBeDefined();
    }
    const create = paths['/lists/{listId}/webhooks'].post;
    expect(JSON.stringify(create.requestBody)).toContain('CreateSubscriptionDto');
    expect(create.responses['201'].content?.['application/json'].schema.$ref).toContain(
      'CreatedSubscriptionResponseDto',
    );
    const createInbound = paths['/webhooks/inbound'].post;
    expect(JSON.stringify(createInbound.requestBody)).toContain('CreateInboundEndpointDto');
    expect(createInbound.responses['201'].content?.['application/json'].schema.$ref).toContain(
      'CreatedInboundEndpointResponseDto',
    );
    const schemas = body.components.schemas as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    expect(Object.keys(schemas.UpdateSubscriptionDto.properties)).toEqual(
      expect.arrayContaining(['url', 'events', 'sources', 'payloadFormat', 'headers', 'status']),
    );
    expect(Object.keys(schemas.DeliveryResponseDto.properties)).toContain('attempts');
    const html = await request(http).get('/docs').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('mounts the queue dashboard with the webhook queue', async () => {
    const page = await request(http).get('/queues').expect(200);
    expect(page.text).toContain('<html');
    const queues = await request(http).get('/queues/api/queues').expect(200);
    expect(JSON.stringify(queues.body)).toContain('nest-hooks-deliveries');
  });

  it('counts deliveries in the Prometheus metrics', async () => {
    await request(http)
      .post('/public/lists/1/subscribe')
      .send({ email: 'metrics@example.com' })
      .expect(201);
    const metrics = await eventually(
      async () => {
        const { text } = await request(http).get('/metrics').expect(200);
        return (
          /webhooks_delivery_attempts_total\{outcome="succeeded",error_kind="none",trigger="scheduled"\} [1-9]/.test(
            text,
          ) && text
        );
      },
      { what: 'a counted delivery' },
    );
    expect(metrics).toContain('# TYPE webhooks_attempt_duration_seconds histogram');
    expect(metrics).toMatch(/webhooks_queue_jobs\{state="waiting"\} \d+/);
    expect(metrics).toMatch(/webhooks_subscriptions_disabled \d+/);
  });

  it('reports healthy, then down with the reason when Redis stops', async () => {
    const up = await request(http).get('/health').expect(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, webhooks: { status: 'up', redis: { up: true } } },
    });

    await redis.handle.kill('SIGTERM');
    const down = await request(http).get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { webhooks: { status: 'down', redis: { up: false } } },
    });

    // Bring Redis back on the same port so the app closes cleanly.
    redis.handle = await ChildHandle.start(
      'redis-server',
      ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {},
      'Ready to accept connections',
    );
    await eventually(async () => (await request(http).get('/health')).status === 200 || undefined, {
      what: 'healthy again',
    });
    await eventually(() => queueConnectionsReady(app), { what: 'queue connections ready again' });
  }, 30_000);
});
