import { randomBytes } from 'node:crypto';
import {
  BUILT_IN_EVENT_TYPES,
  WEBHOOK_EVENT_SOURCES,
  WEBHOOK_TEST_EVENT,
} from 'nestjs-marketing-webhooks';
import { webhookHeaders } from './support/internals';
import type { InboxEntry } from '../apps/demo/src/inbox/inbox.service';
import { DemoHarness, type ContactBody, type RecipientBody } from './support/demo-harness';

const API_KEY = 'test-api-key';
const EVENT_TYPES = BUILT_IN_EVENT_TYPES.map(({ type }) => type).filter(
  (type) => type !== WEBHOOK_TEST_EVENT,
);

describe('demo app (SQLite in memory, real Redis)', () => {
  let demo: DemoHarness;
  let listId: number;
  let port: number;
  const contacts: Record<string, ContactBody> = {};

  const http = () => demo.http();
  const path = (url: string) => new URL(url).pathname + new URL(url).search;
  const inbox = () => demo.inbox();
  const delivered = (type: string, source: string, email?: string) =>
    demo.delivered(type, source, email);

  function expectNoToken(entry: InboxEntry) {
    expect(JSON.stringify(entry.data)).not.toContain('token');
  }

  beforeAll(async () => {
    demo = await DemoHarness.start({ DEMO_API_KEY: API_KEY });
    ({ listId, port } = demo);
  });

  afterAll(() => demo.close());

  it('seeds the Newsletter list with a subscription to the inbox, for every event type', async () => {
    const lists = (await http().get('/lists').expect(200)).body as Array<{
      id: number;
      name: string;
    }>;
    expect(lists).toEqual([expect.objectContaining({ id: listId, name: 'Newsletter' })]);
    const hooks = (await http().get(`/lists/${listId}/webhooks`).expect(200)).body as {
      data: Array<{ url: string; name: string; events: string[] }>;
    };
    // And the inbox's Slack, XML and filtered channels (test/demo-inbox-channels.e2e-spec.ts), newest first.
    expect(hooks.data.map((hook) => hook.name).reverse()).toEqual([
      'Demo inbox',
      'Inbox: Slack channel',
      'Inbox: XML CRM sync',
      'Inbox: UK sign-ups',
    ]);
    expect(hooks.data.find((hook) => hook.name === 'Demo inbox')).toMatchObject({
      // And the demo's own type, added with the module's eventTypes (test/demo-inbound.e2e-spec.ts).
      url: `http://127.0.0.1:${port}/inbox`,
      events: [...EVENT_TYPES, 'contact.ordered'],
    });
    const types = (await http().get('/webhooks/event-types').expect(200)).body as unknown;
    expect(JSON.stringify(types)).toContain('contact.ordered');
  });

  describe('contact.subscribed', () => {
    it('from the public form, form-encoded: source contact', async () => {
      await http()
        .post(`/public/lists/${listId}/subscribe`)
        .type('form')
        .send('email=Ada@Example.com&firstName=Ada&fields[city]=Paris')
        .expect(201, { listId, email: 'ada@example.com', status: 'subscribed' });
      const entry = await delivered('contact.subscribed', 'contact', 'ada@example.com');
      expect(entry.data).toMatchObject({
        contact: {
          email: 'ada@example.com',
          firstName: 'Ada',
          fields: { city: 'Paris' },
          status: 'subscribed',
        },
        list: { id: listId, name: 'Newsletter' },
      });
      expectNoToken(entry);
    });

    it('from the public form, JSON: source contact', async () => {
      await http()
        .post(`/public/lists/${listId}/subscribe`)
        .send({ email: 'dan@example.com' })
        .expect(201);
      await delivered('contact.subscribed', 'contact', 'dan@example.com');
    });

    it('from the management API without a key: source admin', async () => {
      const response = await http()
        .post(`/lists/${listId}/contacts`)
        .send({ email: 'bob@example.com', lastName: 'Builder' })
        .expect(201);
      contacts.bob = response.body as ContactBody;
      await delivered('contact.subscribed', 'admin', 'bob@example.com');
    });

    it('from the management API with x-api-key: source api', async () => {
      const response = await http()
        .post(`/lists/${listId}/contacts`)
        .set('x-api-key', API_KEY)
        .send({ email: 'cy@example.com' })
        .expect(201);
      contacts.cy = response.body as ContactBody;
      await delivered('contact.subscribed', 'api', 'cy@example.com');
    });

    it('refuses a wrong api key with 401', async () => {
      await http()
        .post(`/lists/${listId}/contacts`)
        .set('x-api-key', 'not-the-key')
        .send({ email: 'eve@example.com' })
        .expect(401);
      await http().get('/lists').set('x-api-key', '').expect(401);
      await http().get(`/lists/${listId}/webhooks`).set('x-api-key', 'not-the-key').expect(401);
      await http().get(`/lists/${listId}/webhooks`).set('x-api-key', API_KEY).expect(200);
    });

    it('answers 409 to an address already on the list', async () => {
      await http().post(`/lists/${listId}/contacts`).send({ email: 'BOB@example.com' }).expect(409);
    });

    it('lists the contacts with their link tokens for the owner', async () => {
      const all = (await http().get(`/lists/${listId}/contacts`).expect(200)).body as ContactBody[];
      for (const contact of all) contacts[contact.email.split('@')[0]] = contact;
      expect(Object.keys(contacts).sort()).toEqual(['ada', 'bob', 'cy', 'dan']);
      expect(contacts.ada.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    });
  });

  describe('contact.updated', () => {
    it('from the management API without a key: source admin', async () => {
      await http().patch(`/contacts/${contacts.bob.id}`).send({ firstName: 'Bob' }).expect(200);
      const entry = await delivered('contact.updated', 'admin', 'bob@example.com');
      expect(entry.data).toMatchObject({ changed: ['firstName'], previous: { firstName: null } });
    });

    it('from the management API with x-api-key: source api', async () => {
      await http()
        .patch(`/contacts/${contacts.cy.id}`)
        .set('x-api-key', API_KEY)
        .send({ fields: { plan: 'pro', seats: 3 } })
        .expect(200);
      const entry = await delivered('contact.updated', 'api', 'cy@example.com');
      expect(entry.data).toMatchObject({
        contact: { fields: { plan: 'pro', seats: 3 } },
        changed: ['fields'],
      });
    });

    it('from the profile page: source contact', async () => {
      await http()
        .post(`/public/profile/${contacts.ada.token}`)
        .send({ lastName: 'Lovelace', fields: { city: 'London' } })
        .expect(200);
      const entry = await delivered('contact.updated', 'contact', 'ada@example.com');
      expect(entry.data).toMatchObject({
        contact: { lastName: 'Lovelace', fields: { city: 'London' } },
        previous: { lastName: null, fields: { city: 'Paris' } },
      });
    });
  });

  describe('contact.unsubscribed', () => {
    it('from the management API without a key: source admin', async () => {
      await http().post(`/contacts/${contacts.bob.id}/unsubscribe`).expect(200);
      await delivered('contact.unsubscribed', 'admin', 'bob@example.com');
    });

    it('from the management API with x-api-key: source api', async () => {
      await http()
        .post(`/contacts/${contacts.cy.id}/unsubscribe`)
        .set('x-api-key', API_KEY)
        .expect(200);
      await delivered('contact.unsubscribed', 'api', 'cy@example.com');
    });

    it('from the unsubscribe link: source contact', async () => {
      const page = await http().get(`/public/unsubscribe/${contacts.dan.token}`).expect(200);
      expect(page.text).toContain('Newsletter');
      const entry = await delivered('contact.unsubscribed', 'contact', 'dan@example.com');
      expect(entry.data).toMatchObject({
        contact: { status: 'unsubscribed' },
        previousStatus: 'subscribed',
      });
    });
  });

  describe('campaigns', () => {
    let campaignId: number;
    let ada: RecipientBody;

    it('campaign.sent when the sender starts: source system', async () => {
      const created = await http()
        .post(`/lists/${listId}/campaigns`)
        .send({
          subject: 'Spring sale',
          body: 'Everything is 20% off: https://shop.example.com/spring?ref=mail.',
        })
        .expect(201);
      campaignId = (created.body as { id: number }).id;
      await http()
        .post(`/campaigns/${campaignId}/send`)
        .set('x-api-key', API_KEY)
        .expect(202, { campaignId, status: 'queued' });

      const entry = await delivered('campaign.sent', 'system');
      expect(entry.data).toMatchObject({
        campaign: { id: campaignId, subject: 'Spring sale', status: 'sending' },
        recipientCount: 1,
        requestedBy: 'api',
      });

      const deadline = Date.now() + 10_000;
      while (
        ((await http().get(`/campaigns/${campaignId}`).expect(200)).body as { status: string })
          .status !== 'sent'
      ) {
        if (Date.now() > deadline) throw new Error('the campaign never reached sent');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await http().post(`/campaigns/${campaignId}/send`).expect(409);

      const recipients = (await http().get(`/campaigns/${campaignId}/recipients`).expect(200))
        .body as RecipientBody[];
      expect(recipients.map((recipient) => recipient.email)).toEqual(['ada@example.com']);
      ada = recipients[0];
      expect(ada.links.clicks).toEqual([
        { url: 'https://shop.example.com/spring?ref=mail', tracked: expect.any(String) as unknown },
      ]);
    });

    it('campaign.opened from the open pixel: source contact', async () => {
      const pixel = await http().get(path(ada.links.open)).expect(200);
      expect(pixel.headers['content-type']).toBe('image/gif');
      expect(pixel.body).toBeInstanceOf(Buffer);
      const entry = await delivered('campaign.opened', 'contact', 'ada@example.com');
      expect(entry.data).toMatchObject({ campaign: { id: campaignId, subject: 'Spring sale' } });
      expectNoToken(entry);
    });

    it('campaign.clicked from a tracked link: source contact, with the url', async () => {
      await http()
        .get(path(ada.links.clicks[0].tracked))
        .expect(302)
        .expect('Location', 'https://shop.example.com/spring?ref=mail');
      const entry = await delivered('campaign.clicked', 'contact', 'ada@example.com');
      expect(entry.data).toMatchObject({ url: 'https://shop.example.com/spring?ref=mail' });
    });

    it('campaign.forwarded and campaign.shared: source contact', async () => {
      await http().get(path(ada.links.forward)).expect(200).expect('Content-Type', /html/);
      await delivered('campaign.forwarded', 'contact', 'ada@example.com');
      await http().get(path(ada.links.share)).expect(200);
      await delivered('campaign.shared', 'contact', 'ada@example.com');
    });

    it('refuses click urls that are not http(s) or not in the campaign', async () => {
      const base = new URL(ada.links.clicks[0].tracked).pathname;
      const bad = await http().get(base).query({ url: 'javascript:alert(1)' }).expect(400);
      expect(JSON.stringify(bad.body)).toContain('url');
      await http().get(base).query({ url: 'https://evil.example.net/' }).expect(400);
      await http().get(base).expect(400);
    });

    it('answers 404 to tracking links of unknown campaigns or non-recipients', async () => {
      await http().get(`/t/open/999999/${contacts.ada.token}`).expect(404);
      await http().get(`/t/open/${campaignId}/${contacts.bob.token}`).expect(404);
      await http()
        .get(`/t/open/${campaignId}/${'x'.repeat(32)}`)
        .expect(404);
      await http().get(`/t/open/${campaignId}/short`).expect(400);
    });

    it('campaign.bounced from bounce processing: source system', async () => {
      await http()
        .post('/bounces')
        .send({ email: 'ada@example.com', listId, reason: '550 mailbox unavailable', campaignId })
        .expect(202);
      const entry = await delivered('campaign.bounced', 'system', 'ada@example.com');
      expect(entry.data).toMatchObject({
        contact: { status: 'bounced' },
        reason: '550 mailbox unavailable',
        campaignId,
      });
      const contact = (await http().get(`/contacts/${contacts.ada.id}`).expect(200))
        .body as ContactBody;
      expect(contact.status).toBe('bounced');
    });
  });

  describe('inbox', () => {
    it('refuses and records a delivery whose signature does not verify', async () => {
      const body = JSON.stringify({
        type: 'contact.subscribed',
        source: 'api',
        listId: String(listId),
        data: {},
      });
      const forged = webhookHeaders(`whsec_${randomBytes(24).toString('base64')}`, {
        id: 'forged-1',
        timestamp: Math.floor(Date.now() / 1000),
        body,
      });
      await http()
        .post('/inbox')
        .set(forged)
        .set('content-type', 'application/json')
        .send(body)
        .expect(401);
      await http().post('/inbox').send({ hello: 'world' }).expect(401);
      const entries = await inbox();
      expect(entries.find((entry) => entry.webhookId === null)).toMatchObject({
        verified: false,
        subscription: null,
        error: expect.stringContaining('missing webhook-id') as unknown,
      });
      expect(entries.find((entry) => entry.webhookId === 'forged-1')).toMatchObject({
        verified: false,
        subscription: null,
        type: 'contact.subscribed',
        error: 'no matching signature',
      });
    });

    it('got every built-in event type, from all four sources, and every delivery succeeded', async () => {
      const verified = (await inbox()).filter(
        (entry) => entry.verified && entry.subscription === 'Demo inbox',
      );
      expect(new Set(verified.map((entry) => entry.type))).toEqual(new Set(EVENT_TYPES));
      expect(new Set(verified.map((entry) => entry.source))).toEqual(
        new Set(WEBHOOK_EVENT_SOURCES),
      );

      const subscription = (
        (await http().get(`/lists/${listId}/webhooks`).expect(200)).body as {
          data: Array<{ id: string; name: string }>;
        }
      ).data.find((hook) => hook.name === 'Demo inbox');
      if (!subscription) throw new Error('no Demo inbox subscription');
      // The attempt is recorded just after the inbox answers, so give the last one a moment.
      const deadline = Date.now() + 5_000;
      let statuses: string[] = [];
      do {
        const page = await http()
          .get(`/lists/${listId}/webhooks/${subscription.id}/deliveries?limit=100`)
          .expect(200);
        statuses = (page.body as { data: Array<{ status: string }> }).data.map(
          (delivery) => delivery.status,
        );
        if (statuses.every((status) => status === 'succeeded')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < deadline);
      expect(statuses).toEqual(verified.map(() => 'succeeded'));
    });
  });

  it('never answered with a 5xx', () => {
    expect(demo.serverErrors).toEqual([]);
  });
});
