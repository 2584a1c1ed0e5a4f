import { DOMParser, type Element } from '@xmldom/xmldom';
import { parse } from 'qs';
import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook } from 'nestjs-marketing-webhooks';
import { Webhook } from 'standardwebhooks';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

describe.each(TEST_DATABASES)('payload formats and custom headers on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  const data = {
    contact: {
      id: 7,
      email: 'ada+list@example.com',
      name: 'Ada & Co',
      tags: ['vip', 'früh'],
      fields: { city: 'Paris', score: 12.5 },
    },
    link: 'https://shop.example.com/spring?utm=mail&x=1',
  };

  it('sends form payloads with bracketed keys that parse back to the same data, signed', async () => {
    const subscription = await createSubscription(hooks, 'form', {
      url: receiver.url('/form'),
      events: ['campaign.clicked'],
      payloadFormat: 'form',
    } as Parameters<typeof createSubscription>[2]);
    expect(subscription.payloadFormat).toBe('form');
    const { eventId } = await hooks.webhooks.emit({
      listId: 'form',
      type: 'campaign.clicked',
      source: 'contact',
      data,
    });
    const [delivery] = await receiver.waitFor(1, { path: '/form' });
    expect(delivery.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(delivery.body).toContain(
      'data%5Bcontact%5D%5Bemail%5D=ada%2Blist%40example.com'
        .replace(/%5B/g, '[')
        .replace(/%5D/g, ']'),
    );
    verifyWebhook(subscription.secret, delivery.body, delivery.headers);
    // The official library verifies it too, once told not to parse the body as JSON (docs/delivery.md).
    const official = new Webhook(subscription.secret);
    const headers = delivery.headers as Record<string, string>;
    expect(() => official.verify(delivery.body, headers)).toThrow(SyntaxError);
    expect(official.verify(delivery.body, headers, { jsonParse: false })).toBeUndefined();
    const parsed = parse(delivery.body);
    const asStrings = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(asStrings)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asStrings(inner)]))
          : String(value);
    expect(parsed).toEqual({
      id: eventId,
      type: 'campaign.clicked',
      timestamp: expect.any(String),
      source: 'contact',
      listId: 'form',
      data: asStrings(data),
    });
  });

  it('sends XML payloads that an independent parser reads, signed over the bytes sent', async () => {
    const subscription = await createSubscription(hooks, 'xml', {
      url: receiver.url('/xml'),
      events: ['campaign.clicked'],
      payloadFormat: 'xml',
    } as Parameters<typeof createSubscription>[2]);
    expect(subscription.payloadFormat).toBe('xml');
    const { eventId } = await hooks.webhooks.emit({
      listId: 'xml',
      type: 'campaign.clicked',
      source: 'contact',
      data,
    });
    const [delivery] = await receiver.waitFor(1, { path: '/xml' });
    expect(delivery.headers['content-type']).toBe('application/xml; charset=utf-8');
    verifyWebhook(subscription.secret, delivery.body, delivery.headers);
    const root = new DOMParser().parseFromString(delivery.body, 'application/xml').documentElement;
    const text = (path: string[]) =>
      path.reduce<Element | undefined>(
        (element, name) => element?.getElementsByTagName(name)[0],
        root as unknown as Element,
      )?.textContent;
    expect(text(['id'])).toBe(eventId);
    expect(text(['listId'])).toBe('xml');
    expect(text(['data', 'contact', 'email'])).toBe('ada+list@example.com');
    expect(text(['data', 'contact', 'name'])).toBe('Ada & Co');
    expect(text(['data', 'link'])).toBe(data.link);
    const tags = root?.getElementsByTagName('tags')[0];
    expect(tags?.getAttribute('type')).toBe('array');
    expect(
      Array.from(tags?.getElementsByTagName('item') ?? []).map((item) => item.textContent),
    ).toEqual(['vip', 'früh']);
    expect(root?.getElementsByTagName('score')[0]?.getAttribute('type')).toBe('number');
  });

  it('sends custom headers, and refuses ones that would override framing or signatures', async () => {
    const subscription = await createSubscription(hooks, 'headers', {
      url: receiver.url('/headers'),
      events: ['contact.updated'],
      headers: { Authorization: 'Bearer receiver-token', 'X-Tenant-Ref': 'acme-42' },
    });
    await hooks.webhooks.emit({
      listId: 'headers',
      type: 'contact.updated',
      source: 'api',
      data: {},
    });
    const [delivery] = await receiver.waitFor(1, { path: '/headers' });
    expect(delivery.headers).toMatchObject({
      authorization: 'Bearer receiver-token',
      'x-tenant-ref': 'acme-42',
    });
    verifyWebhook(subscription.secret, delivery.body, delivery.headers);

    for (const headers of [
      { 'webhook-signature': 'v1,forged' },
      { Host: 'internal.example' },
      { 'Content-Type': 'text/plain' },
      { 'Transfer-Encoding': 'chunked' },
      { 'bad name': 'x' },
      { 'X-Injected': 'a\r\nX-Evil: 1' },
      { 'X-Number': 42 },
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, 'v'])),
      ['not', 'an', 'object'],
    ]) {
      const response = await request(http)
        .post('/lists/headers/webhooks')
        .send({ url: receiver.url('/x'), events: ['contact.updated'], headers });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain('headers');
    }
    const patched = await request(http)
      .patch(`/lists/headers/webhooks/${subscription.id}`)
      .send({ headers: { Upgrade: 'h2c' } });
    expect(patched.status).toBe(400);
    const badFormat = await request(http)
      .post('/lists/headers/webhooks')
      .send({ url: receiver.url('/x'), events: ['contact.updated'], payloadFormat: 'yaml' });
    expect(badFormat.status).toBe(400);
    expect(JSON.stringify(badFormat.body.message)).toContain('payloadFormat');
  });
});
