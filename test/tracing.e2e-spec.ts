import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { Webhook } from 'standardwebhooks';
import type { App } from 'supertest/types';
import { WEBHOOK_SPANS, WebhooksTransactions } from 'nestjs-marketing-webhooks';
import { eventually } from './support/eventually';
import { createEndpoint, postInbound, RecordingInboundHandler } from './support/inbound';
import { WebhookEvent } from './support/internals';
import { TestReceiver } from './support/receiver';
import type { TestDatabase } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

// The SDK as a host would register it; the library itself depends on `@opentelemetry/api` only.
const exporter = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterAll(() => trace.disable());

const INBOUND_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function spans(name: string, where: Record<string, unknown> = {}): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter(
      (span) =>
        span.name === name &&
        Object.entries(where).every(([key, value]) => span.attributes[key] === value),
    );
}

/** Waits until `count` spans named `name` with the attributes `where` have ended. */
function waitForSpans(name: string, where: Record<string, unknown>, count = 1) {
  return eventually(() => spans(name, where).length >= count && spans(name, where), {
    what: `${count} ${name} span(s) with ${JSON.stringify(where)}`,
  });
}

const traceParentOf = (span: ReadableSpan) => {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
};

/** PostgreSQL writes the outbox in one statement; SQLite plans the fan-out in JavaScript. */
describe.each<TestDatabase>(['postgres', 'sqlite'])('tracing on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      appOptions: { rawBody: true },
      providers: [RecordingInboundHandler],
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('traces an emit with its deliveries, the hand-off, and each attempt as an HTTP client span linked to the emit', async () => {
    const withToken = await createSubscription(hooks, 'traced', {
      url: receiver.url('/traced?token=do-not-trace-me'),
      events: ['contact.subscribed'],
    });
    await createSubscription(hooks, 'traced', {
      url: receiver.url('/traced-too'),
      events: ['contact.subscribed'],
    });

    const { eventId, deliveryIds } = await hooks.webhooks.emit({
      listId: 'traced',
      type: 'contact.subscribed',
      source: 'api',
      data: { contact: { id: 1 } },
    });
    const [emit] = spans(WEBHOOK_SPANS.emit, { 'webhooks.event.id': eventId });
    expect(emit.kind).toBe(SpanKind.PRODUCER);
    expect(emit.attributes).toMatchObject({
      'webhooks.event.type': 'contact.subscribed',
      'webhooks.event.source': 'api',
      'webhooks.list.id': 'traced',
      'webhooks.deliveries.count': 2,
    });
    // The event keeps its emit's trace context for attempts that run later, maybe elsewhere.
    const stored = await hooks.dataSource
      .getRepository(WebhookEvent)
      .findOneByOrFail({ id: eventId });
    expect(stored.traceParent).toBe(traceParentOf(emit));

    // The hand-off of this one event's deliveries is the emit's child.
    const handOff = await eventually(() =>
      spans(WEBHOOK_SPANS.handOff).find(
        (span) => span.parentSpanContext?.spanId === emit.spanContext().spanId,
      ),
    );
    expect(handOff.spanContext().traceId).toBe(emit.spanContext().traceId);
    expect(handOff.attributes['webhooks.deliveries.count']).toBe(2);
    // This process is a worker with room: it runs both first attempts itself.
    expect(handOff.attributes['webhooks.deliveries.local']).toBe(2);

    const attempts = await Promise.all(
      deliveryIds.map((id) => waitForSpans(WEBHOOK_SPANS.attempt, { 'webhooks.delivery.id': id })),
    );
    const [attempt] = attempts
      .flat()
      .filter((span) => span.attributes['webhooks.subscription.id'] === withToken.id);
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `http://127.0.0.1:${receiver.port}/traced`,
      'server.address': '127.0.0.1',
      'server.port': receiver.port,
      'http.response.status_code': 204,
      'webhooks.event.id': eventId,
      'webhooks.event.type': 'contact.subscribed',
      'webhooks.attempt.number': 1,
      'webhooks.attempt.trigger': 'scheduled',
    });
    expect(attempt.attributes['error.type']).toBeUndefined();
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
    for (const span of attempts.flat()) {
      // A link to the emit, not its child: the attempt runs later, in the worker.
      expect(span.links.map((link) => link.context.spanId)).toEqual([emit.spanContext().spanId]);
      expect(span.links[0].context.traceId).toBe(emit.spanContext().traceId);
      expect(span.parentSpanContext).toBeUndefined();
    }
    // Without `delivery.propagateTraceContext`, receivers get no trace context.
    const requests = await receiver.waitFor(1, { path: '/traced?token=do-not-trace-me' });
    expect(requests[0].headers.traceparent).toBeUndefined();
  });

  it('marks a failing attempt as an error, and the retry as attempt 2 linked to the same emit', async () => {
    let answered = 0;
    receiver.respondWith((request, response) => {
      if (request.path !== '/flaky') return void response.writeHead(204).end();
      answered += 1;
      response.writeHead(answered === 1 ? 500 : 204).end();
    });
    await createSubscription(hooks, 'flaky', {
      url: receiver.url('/flaky'),
      events: ['contact.subscribed'],
    });
    const { eventId, deliveryIds } = await hooks.webhooks.emit({
      listId: 'flaky',
      type: 'contact.subscribed',
      source: 'api',
      data: {},
    });
    const [emit] = spans(WEBHOOK_SPANS.emit, { 'webhooks.event.id': eventId });
    const [first, second] = await waitForSpans(
      WEBHOOK_SPANS.attempt,
      { 'webhooks.delivery.id': deliveryIds[0] },
      2,
    );
    expect(first.attributes).toMatchObject({
      'webhooks.attempt.number': 1,
      'http.response.status_code': 500,
      'error.type': '500',
    });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes).toMatchObject({
      'webhooks.attempt.number': 2,
      'http.request.resend_count': 1,
      'http.response.status_code': 204,
    });
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
    for (const span of [first, second]) {
      expect(span.links.map((link) => link.context.spanId)).toEqual([emit.spanContext().spanId]);
    }
  });

  it('marks an attempt whose connection is refused with the error kind', async () => {
    const gone = await TestReceiver.start();
    const url = gone.url('/gone');
    await gone.close();
    await createSubscription(hooks, 'refused', { url, events: ['contact.subscribed'] });
    const { deliveryIds } = await hooks.webhooks.emit({
      listId: 'refused',
      type: 'contact.subscribed',
      source: 'api',
      data: {},
    });
    const [attempt] = await waitForSpans(WEBHOOK_SPANS.attempt, {
      'webhooks.delivery.id': deliveryIds[0],
    });
    expect(attempt.attributes).toMatchObject({
      'error.type': 'connection',
      'url.full': url,
      'webhooks.attempt.number': 1,
    });
    expect(attempt.attributes['http.response.status_code']).toBeUndefined();
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("links the hand-off of a host transaction's events to each of their emits", async () => {
    await createSubscription(hooks, 'in-transaction', {
      url: receiver.url('/in-transaction'),
      events: ['contact.subscribed'],
    });
    const emitted = await hooks.app
      .get(WebhooksTransactions)
      .run(async (manager) => [
        await hooks.webhooks.emit(
          { listId: 'in-transaction', type: 'contact.subscribed', source: 'api', data: {} },
          { manager },
        ),
        await hooks.webhooks.emit(
          { listId: 'in-transaction', type: 'contact.subscribed', source: 'api', data: {} },
          { manager },
        ),
      ]);
    const emits = emitted.map(
      ({ eventId }) => spans(WEBHOOK_SPANS.emit, { 'webhooks.event.id': eventId })[0],
    );
    const handOff = await eventually(() =>
      spans(WEBHOOK_SPANS.handOff).find((span) =>
        span.links.some((link) => link.context.spanId === emits[0].spanContext().spanId),
      ),
    );
    expect(handOff.links.map((link) => link.context.spanId)).toEqual(
      emits.map((span) => span.spanContext().spanId),
    );
    expect(handOff.attributes['webhooks.deliveries.count']).toBe(2);
    // This process is a worker with room: it runs both first attempts itself.
    expect(handOff.attributes['webhooks.deliveries.local']).toBe(2);
  });

  it('traces an inbound request as it is received, then as it is processed', async () => {
    const endpoint = await createEndpoint(hooks, 'default', {
      scheme: 'standard-webhooks',
      secret: INBOUND_SECRET,
      listId: 'inbound',
    });
    const body = JSON.stringify({ type: 'customer.created', data: { id: 'cus_1' } });
    const at = new Date();
    const id = `msg_traced_${database}`;
    const http = hooks.app.getHttpServer() as App;
    await postInbound(http, endpoint.path, body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(INBOUND_SECRET).sign(id, at, body),
    }).expect(200);
    await postInbound(http, endpoint.path, body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl',
    }).expect(401);

    const where = { 'webhooks.inbound.endpoint.id': endpoint.id };
    const receives = await waitForSpans(WEBHOOK_SPANS.inboundReceive, where, 2);
    expect(receives.map((span) => span.attributes['webhooks.inbound.outcome'])).toEqual([
      'received',
      'rejected',
    ]);
    const eventId = receives[0].attributes['webhooks.inbound.event.id'];
    expect(receives[0].attributes).toMatchObject({
      'webhooks.inbound.provider': 'standard-webhooks',
      'webhooks.inbound.event.type': 'customer.created',
    });

    const [processing] = await waitForSpans(WEBHOOK_SPANS.inboundProcess, {
      'webhooks.inbound.event.id': eventId,
    });
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.attributes).toMatchObject({
      ...where,
      'webhooks.inbound.outcome': 'processed',
      'webhooks.inbound.provider': 'standard-webhooks',
      'webhooks.inbound.attempt': 1,
    });
    expect(processing.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('delivery.propagateTraceContext', () => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: { delivery: { propagateTraceContext: true } },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it("sends receivers the attempt span's traceparent, in place of a custom one", async () => {
    await createSubscription(hooks, '42', {
      url: receiver.url('/propagated'),
      events: ['contact.subscribed'],
      headers: { Traceparent: 'custom' },
    });
    const { deliveryIds } = await hooks.webhooks.emit({
      listId: '42',
      type: 'contact.subscribed',
      source: 'api',
      data: {},
    });
    const [request] = await receiver.waitFor(1, { path: '/propagated' });
    const [attempt] = await waitForSpans(WEBHOOK_SPANS.attempt, {
      'webhooks.delivery.id': deliveryIds[0],
    });
    expect(request.headers.traceparent).toBe(traceParentOf(attempt));
  });
});
