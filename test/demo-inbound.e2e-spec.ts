import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import type { InboxEntry } from '../apps/demo/src/inbox/inbox.service';
import type { IntegrationView } from '../apps/demo/src/integrations/integrations.service';
import { SeedService } from '../apps/demo/src/seed/seed.service';
import { DemoHarness, type ContactBody } from './support/demo-harness';
import { eventually } from './support/eventually';

// Secrets given as the environment would: the seeded endpoints take them, not the fixed defaults.
const SECRETS = {
  DEMO_STRIPE_SECRET: 'whsec_demo_inbound_test_stripe',
  DEMO_TYPEFORM_SECRET: 'demo-inbound-test-typeform',
  DEMO_SHOPIFY_SECRET: 'demo-inbound-test-shopify',
};
const stripe = new Stripe('sk_test_not_used');
const JENNY = 'jenny.rosen@example.com';
const SCRIPT = join(__dirname, '../apps/demo/scripts/inbound-sample.mjs');

interface InboundEventBody {
  id: string;
  providerEventId: string | null;
  status: string;
  attempts: number;
  processedAt: string | null;
}

function stripeCustomerCreated(eventId: string, email: string, name: string) {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'customer.created',
    data: { object: { id: `cus_${eventId.slice(4)}`, object: 'customer', email, name } },
  });
}

/** Typeform: `sha256=` + base64 HMAC-SHA256 of the body (typeform.com, "Secure your webhooks"). */
const typeformSignature = (body: string, secret = SECRETS.DEMO_TYPEFORM_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
/** Shopify: base64 HMAC-SHA256 of the body (shopify.dev, "Verify webhooks"). */
const shopifyHmac = (body: string) =>
  createHmac('sha256', SECRETS.DEMO_SHOPIFY_SECRET).update(body).digest('base64');

describe('demo inbound integrations: Stripe, Typeform, Shopify (SQLite in memory, real Redis)', () => {
  let demo: DemoHarness;
  let integrations: Record<string, IntegrationView>;
  let jenny: ContactBody & { fields: Record<string, unknown> };

  const http = () => demo.http();
  const pathOf = (provider: string) => integrations[provider].path;
  const post = (provider: string, body: string, headers: Record<string, string>) =>
    http()
      .post(pathOf(provider))
      .set({ 'content-type': 'application/json', ...headers })
      .send(body);
  const storedEvents = async (provider: string) =>
    (
      await http()
        .get(`/webhooks/inbound/${integrations[provider].endpointId}/events?limit=100`)
        .expect(200)
    ).body.data as InboundEventBody[];
  /** Waits for the provider's event to be processed, and answers it as the admin API shows it. */
  const processed = (provider: string, providerEventId: string) =>
    eventually(
      async () =>
        (await storedEvents(provider)).find(
          (event) => event.providerEventId === providerEventId && event.status === 'processed',
        ),
      { what: `${provider} ${providerEventId} processed` },
    );
  const contactNamed = async (email: string) =>
    ((await http().get(`/lists/${demo.listId}/contacts`).expect(200)).body as ContactBody[]).find(
      (contact) => contact.email === email,
    );
  const inboxAbout = (entries: InboxEntry[], type: string, email: string) =>
    entries.filter(
      (entry) =>
        entry.path === '/inbox' &&
        entry.type === type &&
        (entry.data as { contact?: { email?: string } }).contact?.email === email,
    );

  /** Replays an event through the library's admin API and waits until the replay was processed. */
  async function replay(provider: string, eventId: string): Promise<void> {
    const endpointId = integrations[provider].endpointId;
    await http().post(`/webhooks/inbound/${endpointId}/events/${eventId}/replay`).expect(202);
    // The replay made the event due again before answering: the next `processed` is its doing.
    await eventually(
      async () => {
        const event = (await http().get(`/webhooks/inbound/${endpointId}/events/${eventId}`))
          .body as InboundEventBody;
        return event.status === 'processed' && event.processedAt !== null;
      },
      { what: `the replay of ${eventId}` },
    );
  }

  beforeAll(async () => {
    demo = await DemoHarness.start(SECRETS);
    const listed = (await http().get('/integrations').expect(200)).body as IntegrationView[];
    integrations = Object.fromEntries(
      listed.map((integration) => [integration.provider, integration]),
    );
  });

  afterAll(() => demo.close());

  it('seeds a Stripe, a Typeform and a Shopify endpoint on the list, once', async () => {
    expect(Object.keys(integrations)).toEqual(['stripe', 'typeform', 'shopify']);
    for (const integration of Object.values(integrations)) {
      expect(integration.path).toMatch(/^\/webhooks\/in\/[A-Za-z0-9_-]{32}$/);
      expect(integration.url).toBe(`http://localhost:${demo.port}${integration.path}`);
    }
    const endpoints = (await http().get(`/webhooks/inbound?listId=${demo.listId}`).expect(200))
      .body as { data: Array<{ id: string; scheme: string; listId: string }> };
    expect(endpoints.data.map((endpoint) => endpoint.scheme).sort()).toEqual([
      'shopify',
      'stripe',
      'typeform',
    ]);
    // The seed again (as on a restart): the same endpoints, paths and secrets, none added.
    await demo.app.get(SeedService).onApplicationBootstrap();
    const again = (await http().get('/integrations').expect(200)).body as IntegrationView[];
    expect(again.map(({ endpointId, path }) => ({ endpointId, path }))).toEqual(
      Object.values(integrations).map(({ endpointId, path }) => ({ endpointId, path })),
    );
    expect(
      (await http().get(`/webhooks/inbound?listId=${demo.listId}`).expect(200)).body.data,
    ).toHaveLength(3);
    const secret = await http()
      .get(`/webhooks/inbound/${integrations.stripe.endpointId}/secret`)
      .expect(200);
    expect(secret.body).toEqual({ secret: SECRETS.DEMO_STRIPE_SECRET });
  });

  it('Stripe customer.created (signed by the stripe package) adds the contact: contact.subscribed, source api', async () => {
    const body = stripeCustomerCreated('evt_demo_1', 'Jenny.Rosen@Example.com', 'Jenny Rosen');
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: SECRETS.DEMO_STRIPE_SECRET,
    });
    await post('stripe', body, { 'stripe-signature': header }).expect(200, { received: true });

    const entry = await demo.delivered('contact.subscribed', 'api', JENNY);
    expect(entry.data).toMatchObject({
      contact: {
        email: JENNY,
        firstName: 'Jenny',
        lastName: 'Rosen',
        fields: { stripeCustomerId: 'cus_demo_1' },
        status: 'subscribed',
      },
      list: { id: demo.listId, name: 'Newsletter' },
      resubscribed: false,
    });
    jenny = (await contactNamed(JENNY)) as typeof jenny;
    expect(jenny).toMatchObject({ status: 'subscribed' });
    const event = await processed('stripe', 'evt_demo_1');
    expect(event.attempts).toBe(1);
    const listed = (await http().get('/integrations').expect(200)).body as IntegrationView[];
    expect(listed[0].events[0]).toMatchObject({
      providerEventId: 'evt_demo_1',
      type: 'customer.created',
      status: 'processed',
      outcome: `added ${JENNY}`,
    });
  });

  it('the same Stripe event again is acknowledged and not processed twice', async () => {
    // The same event resent, and once more with another name: one stored event for the provider's id.
    for (const name of ['Jenny Rosen', 'Jennifer Rosen']) {
      const payload = stripeCustomerCreated('evt_demo_1', JENNY, name);
      const header = stripe.webhooks.generateTestHeaderString({
        payload,
        secret: SECRETS.DEMO_STRIPE_SECRET,
      });
      await post('stripe', payload, { 'stripe-signature': header }).expect(200, {
        received: true,
      });
    }
    const events = (await storedEvents('stripe')).filter(
      (event) => event.providerEventId === 'evt_demo_1',
    );
    expect(events).toEqual([expect.objectContaining({ status: 'processed', attempts: 1 })]);

    // A replay runs the handler again with the same event id: its receipt makes it a no-op.
    await replay('stripe', events[0].id);
    const after = (await http().get(`/contacts/${jenny.id}`).expect(200)).body as ContactBody & {
      firstName: string;
      updatedAt: string;
    };
    expect(after.firstName).toBe('Jenny');
    expect(after.updatedAt).toBe((jenny as unknown as typeof after).updatedAt);
  });

  it('Typeform form_response updates the fields of the contact: contact.updated, source api', async () => {
    const answer = (ref: string, type: string, value: object) => ({
      ...value,
      type,
      field: { id: randomUUID().slice(0, 12), type, ref },
    });
    const body = JSON.stringify({
      event_id: '01HDEMOTYPEFORM0001',
      event_type: 'form_response',
      form_response: {
        form_id: 'lT4Z3j',
        submitted_at: new Date().toISOString(),
        answers: [
          answer('city', 'choice', { choice: { label: 'Paris' } }),
          answer('email', 'email', { email: 'JENNY.ROSEN@example.com' }),
          answer('company', 'text', { text: 'Acme' }),
          answer('score', 'number', { number: 9 }),
          answer('newsletter', 'boolean', { boolean: true }),
          // Typeform's generated refs are not field names: left out.
          answer('01HDEMO2A7Q', 'text', { text: 'not a field' }),
        ],
      },
    });
    await post('typeform', body, { 'typeform-signature': typeformSignature(body) }).expect(200);

    const entry = await demo.delivered('contact.updated', 'api', JENNY);
    expect(entry.data).toMatchObject({
      contact: {
        email: JENNY,
        fields: {
          stripeCustomerId: 'cus_demo_1',
          city: 'Paris',
          company: 'Acme',
          score: 9,
          newsletter: true,
        },
      },
      changed: ['fields'],
      previous: { fields: { stripeCustomerId: 'cus_demo_1' } },
    });
    expect((await contactNamed(JENNY)) as unknown).toMatchObject({
      fields: { city: 'Paris', company: 'Acme', score: 9, newsletter: true },
    });
    // The Stripe event, its duplicates and its replay: one sign-up in the inbox.
    expect(inboxAbout(await demo.inbox(), 'contact.subscribed', JENNY)).toHaveLength(1);
  });

  it('Shopify orders/create records the order in the contact activity: contact.ordered, source api', async () => {
    const body = JSON.stringify({
      id: 820982911946154500,
      name: '#1001',
      order_number: 1001,
      email: JENNY,
      currency: 'EUR',
      total_price: '59.00',
      line_items: [
        { title: 'Spring bouquet', quantity: 1, price: '39.00' },
        { title: 'Vase', quantity: 1, price: '20.00' },
      ],
    });
    await post('shopify', body, {
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'x-shopify-hmac-sha256': shopifyHmac(body),
    }).expect(200);

    const entry = await demo.delivered('contact.ordered', 'api', JENNY);
    expect(entry.data).toMatchObject({
      contact: { email: JENNY },
      list: { id: demo.listId, name: 'Newsletter' },
      event: { name: 'ordered', description: 'ordered #1001, 59.00 EUR', origin: 'shopify' },
      order: { id: '820982911946154500', name: '#1001', total: '59.00', currency: 'EUR', items: 2 },
    });
    const activity = async () =>
      (await http().get(`/contacts/${jenny.id}/activity`).expect(200)).body as unknown[];
    expect(await activity()).toEqual([
      expect.objectContaining({
        kind: 'event',
        name: 'ordered',
        description: 'ordered #1001, 59.00 EUR',
        origin: 'shopify',
      }),
    ]);

    // Handled once per event: a replay does not record the order twice.
    const event = await processed('shopify', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    await replay('shopify', event.id);
    expect(await activity()).toHaveLength(1);
  });

  it('refuses a wrong signature with 401, storing and changing nothing', async () => {
    const before = await Promise.all(['stripe', 'typeform', 'shopify'].map(storedEvents));
    const eve = stripeCustomerCreated('evt_demo_eve', 'eve@example.com', 'Eve');
    const wrongSecret = stripe.webhooks.generateTestHeaderString({
      payload: eve,
      secret: 'whsec_not_the_demo_secret',
    });
    await post('stripe', eve, { 'stripe-signature': wrongSecret }).expect(401);
    const signed = stripe.webhooks.generateTestHeaderString({
      payload: eve,
      secret: SECRETS.DEMO_STRIPE_SECRET,
    });
    await post('stripe', eve.replace('eve@', 'mallory@'), { 'stripe-signature': signed }).expect(
      401,
    );
    const form = JSON.stringify({ event_id: 'tf_eve', event_type: 'form_response' });
    await post('typeform', form, {
      'typeform-signature': typeformSignature(form, 'wrong-secret'),
    }).expect(401);
    await post('shopify', '{"email":"eve@example.com"}', {
      'x-shopify-topic': 'orders/create',
    }).expect(401);

    const after = await Promise.all(['stripe', 'typeform', 'shopify'].map(storedEvents));
    expect(after).toEqual(before);
    expect(await contactNamed('eve@example.com')).toBeUndefined();
    expect(await contactNamed('mallory@example.com')).toBeUndefined();
  });

  it('npm run demo:inbound sends signed samples the demo takes, or prints them as curl lines', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [SCRIPT, ...args], {
        env: { ...process.env, ...SECRETS, DEMO_URL: `http://127.0.0.1:${demo.port}` },
      });
    const email = 'sam@example.com';
    expect((await run('stripe', '--email', email)).stdout).toContain('→ 200');
    await demo.delivered('contact.subscribed', 'api', email);
    expect((await run('typeform', '--email', email)).stdout).toContain('→ 200');
    const updated = await demo.delivered('contact.updated', 'api', email);
    expect(updated.data).toMatchObject({ contact: { fields: { city: 'Paris', company: 'Acme' } } });
    expect((await run('shopify', '--email', email)).stdout).toContain('→ 200');
    const ordered = await demo.delivered('contact.ordered', 'api', email);
    expect(ordered.data).toMatchObject({ order: { total: '59.00', currency: 'EUR' } });

    const { stdout } = await run('shopify', '--curl');
    expect(stdout).toMatch(
      new RegExp(
        `^curl -X POST 'http://127\\.0\\.0\\.1:${demo.port}/webhooks/in/[A-Za-z0-9_-]+' -H 'Content-Type: application/json' .*-H 'X-Shopify-Hmac-Sha256: [A-Za-z0-9+/=]+' --data-binary '\\{.*\\}'\\n$`,
      ),
    );
    await expect(run('paypal')).rejects.toMatchObject({
      stderr: expect.stringContaining('usage:'),
    });
  });

  it('answered no request with a 5xx, the deliveries to the inbox included', () => {
    expect(demo.serverErrors).toEqual([]);
  });
});
