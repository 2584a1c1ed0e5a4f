import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook } from 'nestjs-marketing-webhooks';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const ADA = {
  contact: { id: 7, email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
  list: { id: '1', name: 'Newsletter' },
};
const MESSAGE = 'Ada Lovelace subscribed to Newsletter (source: the contact)';

type Json = Record<string, unknown>;

/** The shapes the chat tools' incoming webhooks accept, as their documentation describes them. */
const ACCEPTED_BY: Record<string, (body: Json) => void> = {
  slack: (body) => {
    expect(typeof body.text).toBe('string');
    expect(body.blocks).toEqual(
      expect.arrayContaining([
        { type: 'section', text: { type: 'plain_text', text: MESSAGE } },
        expect.objectContaining({ type: 'context' }),
      ]),
    );
  },
  teams: (body) => {
    expect(body.type).toBe('message');
    const [attachment] = body.attachments as Json[];
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content as Json;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: expect.any(String) });
    expect(card.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'TextBlock', text: MESSAGE })]),
    );
  },
  discord: (body) => {
    expect(body.content).toBe(MESSAGE);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(Array.isArray(body.embeds)).toBe(true);
  },
  'google-chat': (body) => {
    expect(String(body.text).split('\n')[0]).toBe(MESSAGE);
  },
};

/** Templates per subscription: chat presets, custom Liquid, preview, and limits (issue 21). */
describe.each(TEST_DATABASES)('templates on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database, options: { retries: { schedule: [100] } } });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it.each(Object.keys(ACCEPTED_BY))(
    'sends the %s preset: a readable message in the shape the tool accepts, still signed',
    async (preset) => {
      const listId = `preset-${preset}`;
      const subscription = await createSubscription(hooks, listId, {
        url: receiver.url(`/${preset}`),
        events: ['contact.subscribed'],
        template: { preset },
      } as Parameters<typeof createSubscription>[2]);
      expect(subscription).toMatchObject({ template: { preset } });
      await hooks.webhooks.emit({
        listId,
        type: 'contact.subscribed',
        source: 'contact',
        data: ADA,
      });
      const [delivery] = await receiver.waitFor(1, { path: `/${preset}` });
      expect(delivery.headers['content-type']).toBe('application/json');
      verifyWebhook(subscription.secret, delivery.body, delivery.headers);
      ACCEPTED_BY[preset](JSON.parse(delivery.body) as Json);
    },
  );

  it('renders a custom Liquid template with the envelope and the message', async () => {
    const subscription = await createSubscription(hooks, 'custom', {
      url: receiver.url('/custom'),
      events: ['contact.subscribed'],
      template: {
        body: '{"who": {{ event.data.contact.email | json }}, "say": {{ message | json }}, "list": "{{ event.listId }}"}',
      },
    } as Parameters<typeof createSubscription>[2]);
    await hooks.webhooks.emit({
      listId: 'custom',
      type: 'contact.subscribed',
      source: 'contact',
      data: ADA,
    });
    const [delivery] = await receiver.waitFor(1, { path: '/custom' });
    verifyWebhook(subscription.secret, delivery.body, delivery.headers);
    expect(JSON.parse(delivery.body)).toEqual({
      who: 'ada@example.com',
      say: MESSAGE,
      list: 'custom',
    });
  });

  it('refuses a template that does not parse with a 400 naming the line, and stores nothing', async () => {
    const response = await request(http)
      .post('/lists/broken/webhooks')
      .send({
        url: receiver.url('/never'),
        events: ['contact.subscribed'],
        template: { body: '{\n"a": {{ event.type }},\n{% if %}\n}' },
      })
      .expect(400);
    expect(response.body.message).toEqual([
      expect.stringMatching(/^template\.body is not a valid template: .*line:3/),
    ]);
    const listed = await request(http).get('/lists/broken/webhooks').expect(200);
    expect(listed.body.data).toEqual([]);
  });

  it.each([
    [{ preset: 'irc' }],
    [{ body: '' }],
    [{ body: 'x', contentType: 'text/html' }],
    [{ preset: 'slack', body: 'x' }],
    ['slack'],
  ])('refuses the template %j with a 400 naming template', async (template) => {
    const response = await request(http)
      .post('/lists/bad-shape/webhooks')
      .send({ url: receiver.url('/never'), events: ['contact.subscribed'], template })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toContain('template must be');
  });

  it('removes a template with null, back to the envelope', async () => {
    const subscription = await createSubscription(hooks, 'unset', {
      url: receiver.url('/unset'),
      events: ['contact.updated'],
      template: { preset: 'slack' },
    } as Parameters<typeof createSubscription>[2]);
    const updated = await request(http)
      .patch(`/lists/unset/webhooks/${subscription.id}`)
      .send({ template: null })
      .expect(200);
    expect(updated.body.template).toBeNull();
    const { eventId } = await hooks.webhooks.emit({
      listId: 'unset',
      type: 'contact.updated',
      source: 'admin',
      data: ADA,
    });
    const [delivery] = await receiver.waitFor(1, { path: '/unset' });
    expect(JSON.parse(delivery.body)).toMatchObject({ id: eventId, data: ADA });
  });
});

describe('template preview and limits', () => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database: 'postgres' });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('previews any event type with sample data, through a preset, a template or a format', async () => {
    const slack = await request(http)
      .post('/lists/1/webhooks/preview')
      .send({ eventType: 'campaign.clicked', template: { preset: 'slack' } })
      .expect(200);
    expect(slack.body.contentType).toBe('application/json');
    expect(JSON.parse(slack.body.body).text).toBe(
      'Ada Lovelace clicked https://shop.example.com/spring in “Spring sale”',
    );
    const custom = await request(http)
      .post('/lists/1/webhooks/preview')
      .send({
        eventType: 'contact.unsubscribed',
        template: {
          body: '{{ message }} / {{ event.data.contact.email }}',
          contentType: 'text/plain',
        },
      })
      .expect(200);
    expect(custom.body).toEqual({
      contentType: 'text/plain',
      body: 'Ada Lovelace unsubscribed from Newsletter (source: the API) / ada@example.com',
    });
    const xml = await request(http)
      .post('/lists/1/webhooks/preview')
      .send({ eventType: 'contact.updated', payloadFormat: 'xml' })
      .expect(200);
    expect(xml.body.contentType).toBe('application/xml; charset=utf-8');
    expect(xml.body.body).toContain('<email>ada@example.com</email>');
    const unknown = await request(http)
      .post('/lists/1/webhooks/preview')
      .send({ eventType: 'no.such' })
      .expect(400);
    expect(unknown.body.message).toEqual([expect.stringContaining('eventType')]);
  });

  it.each([
    [
      'loops',
      '{% for i in (1..1000000000) %}{% for j in (1..1000000000) %}x{% endfor %}{% endfor %}',
    ],
    ['renders 10 MB', `{% for i in (1..10000) %}${'x'.repeat(1_000)}{% endfor %}`],
  ])(
    'stops a template that %s: 400 in preview, and a delivery exhausted at once, never a stuck worker',
    async (what, body) => {
      const preview = await request(http)
        .post('/lists/1/webhooks/preview')
        .send({ eventType: 'contact.subscribed', template: { body } })
        .expect(400);
      expect(preview.body.message).toEqual([
        expect.stringMatching(/^template template failed|^template template rendered more than/),
      ]);
      const listId = `limit-${what.replace(/\W/g, '')}`;
      const heavy = await createSubscription(hooks, listId, {
        url: receiver.url(`/${listId}`),
        events: ['contact.subscribed'],
        template: { body },
      } as Parameters<typeof createSubscription>[2]);
      const healthy = await createSubscription(hooks, listId, {
        url: receiver.url(`/${listId}-healthy`),
        events: ['contact.subscribed'],
      });
      await hooks.webhooks.emit({ listId, type: 'contact.subscribed', source: 'api', data: ADA });
      const exhausted = await waitForDelivery(hooks, listId, heavy.id, 'exhausted');
      expect(exhausted.attempts).toEqual([
        expect.objectContaining({ attemptNumber: 1, errorKind: 'template', statusCode: null }),
      ]);
      await waitForDelivery(hooks, listId, healthy.id, 'succeeded');
      expect(receiver.received(`/${listId}`)).toEqual([]);
    },
  );
});
