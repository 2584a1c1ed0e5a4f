import request from 'supertest';
import type { App } from 'supertest/types';
import { ALL_LISTS, type ContentFilter } from 'nestjs-marketing-webhooks';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const contact = (email: string, tags: string[], country?: string) => ({
  contact: { email, tags, fields: country === undefined ? {} : { country } },
});

/** Content filters per subscription (issue 21), in the fan-out of each database. */
describe.each(TEST_DATABASES)('content filters on %s', (database) => {
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

  const subscribe = (listId: string, path: string, filter?: ContentFilter) =>
    createSubscription(hooks, listId, {
      url: receiver.url(path),
      events: ['contact.subscribed'],
      ...(filter && { filter }),
    });

  const emit = (listId: string, data: Record<string, unknown>) =>
    hooks.webhooks.emit({ listId, type: 'contact.subscribed', source: 'api', data });

  /** The events a subscription got deliveries for (written with the events: no waiting needed). */
  const deliveredEvents = async (listId: string, subscriptionId: string) => {
    const page = await listDeliveries(hooks, listId, subscriptionId, { limit: '100' });
    return page.data.map((delivery) => (delivery as unknown as { eventId: string }).eventId).sort();
  };

  it('delivers only the events whose data matches, on a list and on all lists, in one batch', async () => {
    const vip = await subscribe('news', '/vip', { 'contact.tags': { $in: ['vip', 'gold'] } });
    const everything = await subscribe('news', '/everything');
    const italians = await subscribe(ALL_LISTS, '/italians', { 'contact.fields.country': 'IT' });
    expect(vip.filter).toEqual({ 'contact.tags': { $in: ['vip', 'gold'] } });
    expect(vip).not.toHaveProperty('filterJsonPath');

    // Emitted at once, so that they share statements (group commit).
    const [frenchVip, italian, untagged, elsewhere] = await Promise.all([
      emit('news', contact('fr@example.com', ['vip'], 'FR')),
      emit('news', contact('it@example.com', [], 'IT')),
      emit('news', { note: 'no contact at all' }),
      emit('other-list', contact('it2@example.com', ['vip'], 'IT')),
    ]);
    expect(frenchVip.deliveryIds).toHaveLength(2);
    expect(italian.deliveryIds).toHaveLength(2);
    expect(untagged.deliveryIds).toHaveLength(1);
    expect(elsewhere.deliveryIds).toHaveLength(1);

    expect(await deliveredEvents('news', vip.id)).toEqual([frenchVip.eventId]);
    expect(await deliveredEvents('news', everything.id)).toEqual(
      [frenchVip.eventId, italian.eventId, untagged.eventId].sort(),
    );
    expect(await deliveredEvents(ALL_LISTS, italians.id)).toEqual(
      [italian.eventId, elsewhere.eventId].sort(),
    );
    const [atVip] = await receiver.waitFor(1, { path: '/vip' });
    expect(JSON.parse(atVip.body)).toMatchObject({
      data: contact('fr@example.com', ['vip'], 'FR'),
    });
    const atItalians = await receiver.waitFor(2, { path: '/italians' });
    const emailOf = (body: string) =>
      (JSON.parse(body) as { data: { contact: { email: string } } }).data.contact.email;
    expect(atItalians.map((request) => emailOf(request.body)).sort()).toEqual([
      'it2@example.com',
      'it@example.com',
    ]);
  });

  it('applies a changed filter to the next events, and null removes it', async () => {
    const subscription = await subscribe('changes', '/changes', { 'contact.tags': 'vip' });
    const before = await emit('changes', contact('a@example.com', ['new']));
    expect(before.deliveryIds).toEqual([]);

    const changed = await request(http)
      .patch(`/lists/changes/webhooks/${subscription.id}`)
      .send({ filter: { 'contact.tags': { $nin: ['vip'] } } })
      .expect(200);
    expect(changed.body.filter).toEqual({ 'contact.tags': { $nin: ['vip'] } });
    expect((await emit('changes', contact('b@example.com', ['new']))).deliveryIds).toHaveLength(1);
    expect((await emit('changes', contact('c@example.com', ['vip']))).deliveryIds).toEqual([]);

    const removed = await request(http)
      .patch(`/lists/changes/webhooks/${subscription.id}`)
      .send({ filter: null })
      .expect(200);
    expect(removed.body.filter).toBeNull();
    expect((await emit('changes', contact('d@example.com', ['vip']))).deliveryIds).toHaveLength(1);
    expect((await emit('changes', { anything: true })).deliveryIds).toHaveLength(1);
  });

  it('refuses a bad filter with a 400 naming where it is, and keeps what was stored', async () => {
    const created = await request(http)
      .post('/lists/bad-filters/webhooks')
      .send({
        url: receiver.url('/never'),
        events: ['contact.subscribed'],
        filter: { 'contact.tags': { $regex: 'vip' }, $or: [{ 'campaign.id': { $gt: 'x' } }] },
      })
      .expect(400);
    expect(created.body.message).toEqual([
      expect.stringContaining('filter.contact.tags.$regex is not a supported operator'),
    ]);
    expect(created.body.message[0]).toContain(
      'filter.$or[0].campaign.id.$gt must be a finite number',
    );
    expect((await request(http).get('/lists/bad-filters/webhooks').expect(200)).body.data).toEqual(
      [],
    );

    const subscription = await subscribe('bad-filters', '/kept', { 'contact.tags': 'vip' });
    for (const filter of [{}, 'vip', [], { 'tags.0': 'vip' }, { country: null }]) {
      const response = await request(http)
        .patch(`/lists/bad-filters/webhooks/${subscription.id}`)
        .send({ filter })
        .expect(400);
      expect(JSON.stringify(response.body.message)).toContain('filter');
    }
    const stored = await request(http)
      .get(`/lists/bad-filters/webhooks/${subscription.id}`)
      .expect(200);
    expect(stored.body.filter).toEqual({ 'contact.tags': 'vip' });
    expect((await emit('bad-filters', contact('v@example.com', ['vip']))).deliveryIds).toHaveLength(
      1,
    );
    expect((await emit('bad-filters', contact('n@example.com', ['no']))).deliveryIds).toEqual([]);
  });

  it("previews whether the event type's sample passes a filter", async () => {
    const preview = (filter: ContentFilter) =>
      request(http)
        .post('/lists/preview/webhooks/preview')
        .send({ eventType: 'contact.subscribed', filter })
        .expect(200);
    const sample = JSON.parse((await preview({ 'contact.email': { $exists: true } })).body.body)
      .data as { contact: { email: string } };
    expect((await preview({ 'contact.email': { $exists: true } })).body.filterMatches).toBe(true);
    expect((await preview({ 'contact.email': sample.contact.email })).body.filterMatches).toBe(
      true,
    );
    expect(
      (await preview({ 'contact.email': 'someone-else@example.com' })).body.filterMatches,
    ).toBe(false);
    const withoutFilter = await request(http)
      .post('/lists/preview/webhooks/preview')
      .send({ eventType: 'contact.subscribed' })
      .expect(200);
    expect(withoutFilter.body).not.toHaveProperty('filterMatches');
  });
});
