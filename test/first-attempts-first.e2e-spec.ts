import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const BACKLOG = 40;

/**
 * First attempts first (issue 22): after a pause or an outage, fresh emits do not queue behind the
 * backlog of retries that fell due meanwhile. One job at a time (concurrency 1), so the order in which
 * requests arrive is the order in which Bull handed the jobs out.
 */
describe.each(TEST_DATABASES)('first attempts first on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      // A minute between attempts: the backlog's retries fall due only when the test says so. Every
      // first attempt goes through Bull, as from a process that only emits.
      options: {
        delivery: { concurrency: 1, localFirstAttempts: false },
        retries: { schedule: [60_000] },
      },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('sends fresh first attempts, keyed or not, before a backlog of due retries', async () => {
    let recovered = false;
    receiver.respondWith((request, response) =>
      response.writeHead(request.path === '/backlog' && !recovered ? 503 : 204).end(),
    );
    for (const [listId, path] of [
      ['backlog', '/backlog'],
      ['fresh', '/fresh'],
    ]) {
      await createSubscription(hooks, listId, {
        url: receiver.url(path),
        events: ['contact.subscribed'],
      });
    }
    await Promise.all(
      Array.from({ length: BACKLOG }, (_, index) =>
        hooks.webhooks.emit({
          listId: 'backlog',
          type: 'contact.subscribed',
          source: 'api',
          data: { email: `late${index}@example.com` },
        }),
      ),
    );
    await receiver.waitFor(BACKLOG, { path: '/backlog' });
    const retries = await eventually(
      async () => {
        const delayed = await hooks.queue.getDelayed();
        const due = delayed.filter((job) => String(job.id).endsWith('#2'));
        return due.length === BACKLOG ? due : undefined;
      },
      { what: 'every failed delivery waiting for its retry' },
    );

    // The workers stop taking jobs (an outage, a deploy); meanwhile every retry falls due.
    await hooks.queue.pause();
    await Promise.all(retries.map((job) => job.promote()));
    recovered = true;
    const fresh = { type: 'contact.subscribed', source: 'api' as const, listId: 'fresh' };
    await hooks.webhooks.emit({ ...fresh, data: { email: 'new@example.com' } });
    await hooks.webhooks.emit(
      { ...fresh, data: { email: 'keyed@example.com' } },
      { orderingKey: 'contact-1' },
    );
    await eventually(
      async () => (await hooks.queue.getWaitingCount()) >= BACKLOG + 2 || undefined,
      {
        what: 'the backlog and the fresh jobs queued',
      },
    );
    await hooks.queue.resume();

    const arrived = await receiver.waitFor(2 * BACKLOG + 2);
    const afterResume = arrived.slice(BACKLOG).map((request) => request.path);
    const freshAt = afterResume.flatMap((path, index) => (path === '/fresh' ? [index] : []));
    // Both among the first jobs Bull hands out on resuming, not behind the backlog. Bull runs as many
    // jobs at once as its handlers' concurrencies add up to (6 here: delivery 1, verification 2,
    // probe, re-encryption, pruning), so those first ones race each other.
    expect(freshAt).toHaveLength(2);
    expect(freshAt[1]).toBeLessThan(6);
    expect(afterResume.filter((path) => path === '/backlog')).toHaveLength(BACKLOG);
    expect(receiver.uniqueIds('/backlog')).toEqual({ unique: BACKLOG, duplicates: BACKLOG });
  });
});
