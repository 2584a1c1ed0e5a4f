import request from 'supertest';
import type { App } from 'supertest/types';
import {
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  WebhookSubscription,
} from './support/internals';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

type Method = 'get' | 'post' | 'patch' | 'delete';
interface Probe {
  label: string;
  method: Method;
  path: string;
  body?: unknown;
  raw?: { contentType: string; payload: string };
  /** A word the answer's message must contain (the field or problem named). */
  names?: string;
}

const HUGE = 'x'.repeat(200_000);
const validBody = { url: 'http://127.0.0.1:9/in', events: ['contact.updated'] };

/** Every admin route with every kind of bad input; `{id}` and `{delivery}` are real ids. */
function probes(): Probe[] {
  const base = '/lists/sweep/webhooks';
  const one = `${base}/{id}`;
  const bodies: Array<[string, unknown, string]> = [
    ['url of the wrong type', { ...validBody, url: 12 }, 'url'],
    ['url as an object', { ...validBody, url: { href: 'http://x' } }, 'url'],
    ['a missing url', { events: validBody.events }, 'url'],
    ['a huge url', { ...validBody, url: `https://example.com/${HUGE.slice(0, 5000)}` }, 'url'],
    ['events as a string', { ...validBody, events: 'contact.updated' }, 'events'],
    ['events with null', { ...validBody, events: [null] }, 'events'],
    [
      'a huge events array',
      { ...validBody, events: Array(5_000).fill('contact.updated') },
      'events',
    ],
    ['sources as a string', { ...validBody, sources: 'api' }, 'sources'],
    ['a huge name', { ...validBody, name: HUGE.slice(0, 10_000) }, 'name'],
    ['name as a number', { ...validBody, name: 5 }, 'name'],
    ['headers as a string', { ...validBody, headers: 'Authorization: x' }, 'headers'],
    ['an extra field', { ...validBody, tenantId: 'globex' }, 'tenantId'],
    [
      'a __proto__ key',
      JSON.parse(
        '{"url":"http://127.0.0.1:9/in","events":["contact.updated"],"__proto__":{"admin":true}}',
      ),
      '__proto__',
    ],
    ['a null body', null, ''],
    [
      'a nested constructor key',
      { ...validBody, headers: JSON.parse('{"constructor":{"prototype":{}}}') },
      'constructor',
    ],
    ['an array body', [validBody], ''],
  ];
  const list: Probe[] = [
    ...bodies.map(([label, body, names]): Probe => ({
      label: `create: ${label}`,
      method: 'post',
      path: base,
      body,
      names,
    })),
    ...bodies
      .filter(([label]) => !label.startsWith('a missing'))
      .map(([label, body, names]): Probe => ({
        label: `update: ${label}`,
        method: 'patch',
        path: one,
        body,
        names,
      })),
    {
      label: 'update: status disabled',
      method: 'patch',
      path: one,
      body: { status: 'disabled' },
      names: 'status',
    },
    {
      label: 'update: status as a number',
      method: 'patch',
      path: one,
      body: { status: 1 },
      names: 'status',
    },
    {
      label: 'recover: since missing',
      method: 'post',
      path: `${one}/recover`,
      body: {},
      names: 'since',
    },
    {
      label: 'recover: since of the wrong type',
      method: 'post',
      path: `${one}/recover`,
      body: { since: [1] },
      names: 'since',
    },
    {
      label: 'recover: since not a date',
      method: 'post',
      path: `${one}/recover`,
      body: { since: '31/12/2025' },
      names: 'since',
    },
    {
      label: 'recover: since in the future',
      method: 'post',
      path: `${one}/recover`,
      body: { since: '2999-01-01T00:00:00Z' },
      names: 'since',
    },
    { label: 'list: negative limit', method: 'get', path: `${base}?limit=-1`, names: 'limit' },
    { label: 'list: huge limit', method: 'get', path: `${base}?limit=10000000000`, names: 'limit' },
    {
      label: 'list: limit as an array',
      method: 'get',
      path: `${base}?limit=1&limit=2`,
      names: 'limit',
    },
    {
      label: 'list: garbage cursor',
      method: 'get',
      path: `${base}?cursor=%00%01garbage`,
      names: 'cursor',
    },
    {
      label: 'list: huge cursor',
      method: 'get',
      path: `${base}?cursor=${'a'.repeat(500)}`,
      names: 'cursor',
    },
    { label: 'list: unknown parameter', method: 'get', path: `${base}?order=desc`, names: 'order' },
    {
      label: 'deliveries: status as an array',
      method: 'get',
      path: `${one}/deliveries?status=failed&status=held`,
      names: 'status',
    },
    {
      label: 'deliveries: garbage cursor',
      method: 'get',
      path: `${one}/deliveries?cursor=zzz`,
      names: 'cursor',
    },
    {
      label: 'malformed JSON',
      method: 'post',
      path: base,
      raw: { contentType: 'application/json', payload: '{"url": "http://x", "events": [' },
    },
    {
      label: 'JSON with a trailing comma',
      method: 'patch',
      path: one,
      raw: { contentType: 'application/json', payload: '{"name": "x",}' },
    },
    {
      label: 'wrong content type',
      method: 'post',
      path: base,
      raw: { contentType: 'text/plain', payload: JSON.stringify(validBody) },
      names: 'url',
    },
    {
      label: 'form-encoded body',
      method: 'post',
      path: base,
      raw: { contentType: 'application/x-www-form-urlencoded', payload: 'url=http://x&events=a' },
      names: 'events',
    },
    {
      label: 'a body over the size limit',
      method: 'post',
      path: base,
      raw: {
        contentType: 'application/json',
        payload: JSON.stringify({ ...validBody, name: HUGE.repeat(6) }),
      },
    },
  ];
  for (const [suffix, method] of [
    ['', 'get'],
    ['', 'patch'],
    ['', 'delete'],
    ['/secret', 'get'],
    ['/deliveries', 'get'],
    ['/test', 'post'],
    ['/rotate-secret', 'post'],
    ['/verify', 'post'],
    ['/recover', 'post'],
  ] as const) {
    const body =
      method === 'patch'
        ? { name: 'x' }
        : suffix === '/recover'
          ? { since: '2020-01-01T00:00:00Z' }
          : undefined;
    list.push({
      label: `${method} ${suffix || '/'}: malformed id`,
      method,
      path: `${base}/not-a-uuid${suffix}`,
      body,
      names: 'id must be a UUID',
    });
    list.push({
      label: `${method} ${suffix || '/'}: listId with odd characters`,
      method,
      path: `/lists/sw%20eep/webhooks/{id}${suffix}`,
      body,
      names: 'listId',
    });
  }
  list.push({
    label: 'redeliver: malformed delivery id',
    method: 'post',
    path: `${one}/deliveries/123/redeliver`,
    names: 'deliveryId',
  });
  list.push({
    label: 'redeliver: SQL in the delivery id',
    method: 'post',
    path: `${one}/deliveries/${encodeURIComponent("1' OR '1'='1")}/redeliver`,
    names: 'deliveryId',
  });
  list.push({
    label: 'list id too long',
    method: 'get',
    path: `/lists/${'9'.repeat(129)}/webhooks`,
    names: 'listId',
  });
  return list;
}

describe.each(TEST_DATABASES)('bad-input sweep over every admin route on %s', (database) => {
  let hooks: WebhooksTestApp;
  let http: App;
  let receiver: TestReceiver;
  let ids: { id: string; delivery: string };

  const snapshot = async () => {
    const rows = await Promise.all(
      [WebhookSubscription, WebhookEvent, WebhookDelivery, WebhookAttempt].map((entity) =>
        hooks.dataSource.getRepository<{ id: string }>(entity).find({ order: { id: 'ASC' } }),
      ),
    );
    return JSON.stringify(rows);
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database });
    http = hooks.app.getHttpServer() as App;
    const subscription = await createSubscription(hooks, 'sweep', {
      url: receiver.url('/sweep'),
      events: ['contact.updated'],
    });
    await hooks.webhooks.emit({
      listId: 'sweep',
      type: 'contact.updated',
      source: 'api',
      data: { n: 1 },
    });
    const delivery = await waitForDelivery(hooks, 'sweep', subscription.id, 'succeeded');
    ids = { id: subscription.id, delivery: delivery.id };
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('answers every bad request with a 4xx that names the problem, never a 5xx, and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    const all = probes();
    for (const probe of all) {
      const path = probe.path.replace('{id}', ids.id).replace('{delivery}', ids.delivery);
      let call = request(http)[probe.method](path);
      if (probe.raw) call = call.set('content-type', probe.raw.contentType).send(probe.raw.payload);
      else if (probe.body !== undefined) call = call.send(probe.body as object);
      const response = await call;
      const message = JSON.stringify(response.body?.message ?? response.text);
      if (response.status < 400 || response.status >= 500)
        failures.push(`${probe.label}: ${response.status} ${message}`);
      else if (probe.names && !message.includes(probe.names))
        failures.push(`${probe.label}: message ${message} does not name ${probe.names}`);
    }
    expect(failures).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(await snapshot()).toBe(before);
  });
});
