import { randomBytes } from 'node:crypto';
import { ALL_LISTS } from 'nestjs-marketing-webhooks';
import { INBOX_CHANNELS } from '../apps/demo/src/seed/inbox-channels';
import { SeedService } from '../apps/demo/src/seed/seed.service';
import { DemoHarness } from './support/demo-harness';
import { webhookHeaders } from './support/internals';

const SLACK = 'Inbox: Slack channel';
const XML = 'Inbox: XML CRM sync';
const ALL = 'Inbox: every list';
const UK = 'Inbox: UK sign-ups';

interface Hook {
  id: string;
  name: string;
  url: string;
  listId: string;
  events: string[];
  payloadFormat: string;
  template: unknown;
  filter: unknown;
}

/**
 * The inbox's channels (issue 21): the seed's Slack-format, XML, all-lists and filtered subscriptions,
 * each delivering to its own path of the demo's inbox, which verifies them and says what arrived.
 */
describe('demo inbox channels: Slack, XML, every list, filtered (SQLite in memory, real Redis)', () => {
  let demo: DemoHarness;
  let listId: string;

  const http = () => demo.http();
  const hooksOf = async (list: string) =>
    ((await http().get(`/lists/${list}/webhooks`).expect(200)).body as { data: Hook[] }).data;
  /** The verified entry of `subscription` that mentions `what` (an email, a name), once it arrived. */
  const arrived = async (subscription: string, what: string) => {
    const entry = await demo.entry(
      `${subscription} entry about ${what}`,
      (candidate) =>
        candidate.subscription === subscription && JSON.stringify(candidate).includes(what),
    );
    expect(entry.verified).toBe(true);
    expect(entry.webhookId).toEqual(expect.any(String));
    return entry;
  };

  beforeAll(async () => {
    demo = await DemoHarness.start();
    listId = String(demo.listId);
  });

  afterAll(() => demo.close());

  it('seeds one subscription per channel, each to its own path of the inbox, once', async () => {
    const inbox = `http://127.0.0.1:${demo.port}/inbox`;
    const seeded = await hooksOf(listId);
    expect(seeded.find((hook) => hook.name === SLACK)).toMatchObject({
      url: `${inbox}/slack`,
      template: { preset: 'slack' },
      events: ['contact.subscribed', 'contact.unsubscribed'],
    });
    expect(seeded.find((hook) => hook.name === XML)).toMatchObject({
      url: `${inbox}/xml`,
      payloadFormat: 'xml',
      template: null,
    });
    const [everyList] = await hooksOf(ALL_LISTS);
    expect(everyList).toMatchObject({
      name: ALL,
      listId: ALL_LISTS,
      url: `${inbox}/all-lists`,
      payloadFormat: 'json',
    });

    // Restarted on another PORT: the next start finds them by name and points them at its inbox.
    const slack = seeded.find((hook) => hook.name === SLACK) as Hook;
    const elsewhere = `http://127.0.0.1:${demo.port + 1}/inbox/slack`;
    await http()
      .patch(`/lists/${listId}/webhooks/${slack.id}`)
      .send({ url: elsewhere, events: ['contact.subscribed'] })
      .expect(200);
    await demo.app.get(SeedService).onApplicationBootstrap();
    const again = await hooksOf(listId);
    expect(again.map((hook) => hook.name).sort()).toEqual(seeded.map((hook) => hook.name).sort());
    expect(again.find((hook) => hook.id === slack.id)).toMatchObject({
      url: `${inbox}/slack`,
      events: ['contact.subscribed'],
    });
    expect(await hooksOf(ALL_LISTS)).toEqual([expect.objectContaining({ id: everyList.id })]);
    await http()
      .patch(`/lists/${listId}/webhooks/${slack.id}`)
      .send({ events: ['contact.subscribed', 'contact.unsubscribed'] })
      .expect(200);
  });

  it('a contact subscribing arrives as a readable Slack message, as XML and through every list, each verified', async () => {
    await http()
      .post(`/public/lists/${listId}/subscribe`)
      .send({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' })
      .expect(201);

    const slack = await arrived(SLACK, 'Ada Lovelace');
    expect(slack).toMatchObject({
      path: '/inbox/slack',
      format: 'slack',
      text: 'Ada Lovelace subscribed to Newsletter (source: the contact)',
      listId,
    });
    expect(slack.data).toMatchObject({ blocks: expect.any(Array) as unknown });

    const xml = await arrived(XML, 'ada@example.com');
    expect(xml).toMatchObject({
      path: '/inbox/xml',
      format: 'xml',
      type: 'contact.subscribed',
      source: 'contact',
      listId,
      // The data as the JSON envelope has it, rebuilt from the XML's elements and type attributes.
      data: {
        contact: { email: 'ada@example.com', firstName: 'Ada', id: expect.any(Number) as unknown },
        list: { id: demo.listId, name: 'Newsletter' },
        resubscribed: false,
      },
    });
    expect(xml.xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><webhook><id>/);

    const everyList = await arrived(ALL, 'ada@example.com');
    expect(everyList).toMatchObject({
      path: '/inbox/all-lists',
      format: 'json',
      type: 'contact.subscribed',
      source: 'contact',
      listId,
      data: { contact: { email: 'ada@example.com' } },
    });
  });

  it('an unsubscription reaches the Slack channel and the XML sync too', async () => {
    const [ada] = (await http().get(`/lists/${listId}/contacts`).expect(200)).body as Array<{
      token: string;
    }>;
    await http().get(`/public/unsubscribe/${ada.token}`).expect(200);
    const slack = await demo.entry('the Slack message of the unsubscription', (entry) =>
      (entry.text ?? '').startsWith('Ada Lovelace unsubscribed from Newsletter'),
    );
    expect(slack).toMatchObject({ verified: true, subscription: SLACK });
    for (const subscription of [XML, ALL]) {
      await demo.entry(
        `${subscription} entry of the unsubscription`,
        (entry) => entry.subscription === subscription && entry.type === 'contact.unsubscribed',
      );
    }
  });

  it('the filtered channel gets the sign-ups of contacts in London or Manchester, and no others', async () => {
    const [uk] = (await hooksOf(listId)).filter((hook) => hook.name === UK);
    expect(uk).toMatchObject({
      url: `http://127.0.0.1:${demo.port}/inbox/uk`,
      events: ['contact.subscribed'],
      filter: { 'contact.fields.city': { $in: ['London', 'Manchester'] } },
    });
    const signUp = (email: string, city: string) =>
      http()
        .post(`/public/lists/${listId}/subscribe`)
        .type('form')
        .send({ email, firstName: email.split('@')[0], 'fields[city]': city })
        .expect(201);
    await signUp('alan@example.com', 'Manchester');
    expect(await arrived(UK, 'alan@example.com')).toMatchObject({
      path: '/inbox/uk',
      format: 'json',
      data: { contact: { email: 'alan@example.com', fields: { city: 'Manchester' } } },
    });
    await signUp('katherine@example.com', 'Hampton');
    // Deliveries are written with the event, before the sign-up answers: the log is complete now.
    const log = (await http().get(`/lists/${listId}/webhooks/${uk.id}/deliveries`).expect(200))
      .body as { data: unknown[] };
    expect(log.data).toHaveLength(1);
    await arrived('Demo inbox', 'katherine@example.com');
  });

  it('an event on a list created after startup reaches the all-lists subscription', async () => {
    const customers = (await http().post('/lists').send({ name: 'Customers' }).expect(201))
      .body as { id: number };
    await http()
      .post(`/lists/${customers.id}/contacts`)
      .set('content-type', 'application/json')
      .send({ email: 'grace@example.com', firstName: 'Grace' })
      .expect(201);
    const entry = await arrived(ALL, 'grace@example.com');
    expect(entry).toMatchObject({
      type: 'contact.subscribed',
      source: 'admin',
      listId: String(customers.id),
      data: { list: { id: customers.id, name: 'Customers' } },
    });
  });

  describe('refuses what its channel did not sign', () => {
    const forge = (body: string, secret = `whsec_${randomBytes(24).toString('base64')}`) =>
      webhookHeaders(secret, {
        id: `forged-${randomBytes(4).toString('hex')}`,
        timestamp: Math.floor(Date.now() / 1000),
        body,
      });
    const latestAt = async (path: string, webhookId: string) =>
      (await demo.inbox()).find((entry) => entry.path === path && entry.webhookId === webhookId);

    it('a Slack message with a bad signature: 401, recorded unverified', async () => {
      const body = JSON.stringify({
        text: 'Mallory subscribed to Newsletter (source: the contact)',
      });
      const headers = forge(body);
      const answer = await http()
        .post('/inbox/slack')
        .set(headers)
        .set('content-type', 'application/json')
        .send(body)
        .expect(401);
      expect(JSON.stringify(answer.body)).toContain('no matching signature');
      expect(await latestAt('/inbox/slack', headers['webhook-id'])).toMatchObject({
        verified: false,
        subscription: null,
        format: 'slack',
        listId: null,
        error: 'no matching signature',
      });
    });

    it("the path picks the secret, not the body: the Slack channel's signature is refused at /inbox/xml and /inbox", async () => {
      const [slack] = (await hooksOf(listId)).filter((hook) => hook.name === SLACK);
      const { secret } = (
        await http().get(`/lists/${listId}/webhooks/${slack.id}/secret`).expect(200)
      ).body as { secret: string };
      const xml = `<?xml version="1.0" encoding="UTF-8"?><webhook><type>contact.subscribed</type><listId>${listId}</listId></webhook>`;
      const signed = forge(xml, secret);
      await http()
        .post('/inbox/xml')
        .set(signed)
        .set('content-type', 'application/xml; charset=utf-8')
        .send(xml)
        .expect(401);
      // Unverified XML is not read: the entry says nothing of what it claims.
      expect(await latestAt('/inbox/xml', signed['webhook-id'])).toMatchObject({
        verified: false,
        format: 'xml',
        type: null,
        listId: null,
        xml,
      });

      const json = JSON.stringify({ type: 'contact.subscribed', listId, data: {} });
      const alsoSigned = forge(json, secret);
      await http()
        .post('/inbox')
        .set(alsoSigned)
        .set('content-type', 'application/json')
        .send(json)
        .expect(401);
      // The same bytes where that subscription delivers are fine.
      const right = forge(JSON.stringify({ text: 'hello' }), secret);
      await http()
        .post('/inbox/slack')
        .set(right)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ text: 'hello' }))
        .expect(204);
      expect(await latestAt('/inbox/slack', right['webhook-id'])).toMatchObject({
        verified: true,
        subscription: SLACK,
        text: 'hello',
      });
    });

    it('answers 404 at a path that is no channel, and 413 to an XML body past 100 KiB, recording neither', async () => {
      await http().post('/inbox/teams').send({ text: 'hi' }).expect(404);
      await http()
        .post('/inbox/xml')
        .set('content-type', 'application/xml')
        .send(`<webhook>${'x'.repeat(101 * 1024)}</webhook>`)
        .expect(413);
      const entries = await demo.inbox();
      expect(entries.filter((entry) => entry.path === '/inbox/teams')).toEqual([]);
      expect(entries.filter((entry) => (entry.xml ?? '').includes('xxxx'))).toEqual([]);
    });
  });

  it('has a path per channel, all distinct, none the stream', () => {
    const paths = INBOX_CHANNELS.map((channel) => channel.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).not.toContain('stream');
  });

  it('never answered with a 5xx, and every verified entry came from the subscription of its path', async () => {
    for (const entry of (await demo.inbox()).filter((candidate) => candidate.verified)) {
      const channel = INBOX_CHANNELS.find((candidate) => candidate.name === entry.subscription);
      expect(entry.path).toBe(channel ? `/inbox/${channel.path}` : '/inbox');
    }
    expect(demo.serverErrors).toEqual([]);
  });
});
