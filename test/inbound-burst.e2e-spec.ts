import { eventually } from './support/eventually';
import { INBOUND_JOB } from './support/internals';
import { createEndpoint, RecordingInboundHandler, storedEvents } from './support/inbound';
import { BURST_SECRET, sendBurst } from './support/inbound-burst';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const TOTAL = 1_000;
const UNIQUE = 900;
const SENDERS = 25;

describe('inbound burst on PostgreSQL and Redis', () => {
  let hooks: WebhooksTestApp;
  let baseUrl: string;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      providers: [RecordingInboundHandler],
      options: { inbound: { concurrency: 20 } },
    });
    await hooks.app.listen(0, '127.0.0.1');
    baseUrl = await hooks.app.getUrl();
  });
  afterAll(() => hooks.close());

  it('processes exactly the unique events of 1,000 requests with 10% duplicates, each once', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'standard-webhooks',
      secret: BURST_SECRET,
    });
    const handler = hooks.app.get(RecordingInboundHandler);
    const started = performance.now();
    const statuses = await sendBurst(`${baseUrl}${endpoint.path}`, TOTAL, SENDERS);
    const acknowledgedIn = performance.now() - started;
    expect(statuses.filter((status) => status === 200)).toHaveLength(TOTAL);

    await handler.waitForCalls(UNIQUE, 60_000);
    // Settled in the database, so no job of this burst is left to call the handler again.
    await eventually(
      async () => {
        const rows = await storedEvents(hooks, endpoint.id);
        return rows.length === UNIQUE && rows.every((row) => row.status === 'processed');
      },
      { timeoutMs: 30_000, what: 'every stored event processed' },
    );
    // No inbound job is left (the retention schedule's repeatable job is another kind). A job may
    // still be finishing once its event is stored as processed, and Bull lists one it removes
    // meanwhile as null.
    await eventually(
      async () => {
        const left = await hooks.inboundQueue.getJobs(['waiting', 'active', 'delayed']);
        return left.every((job) => job === null || job.name !== INBOUND_JOB);
      },
      { timeoutMs: 30_000, what: 'no inbound job left' },
    );
    const ids = handler.seen.map((event) => event.providerEventId);
    expect(ids).toHaveLength(UNIQUE);
    expect(new Set(ids).size).toBe(UNIQUE);
    console.log(
      `inbound burst: ${TOTAL} requests acknowledged in ${Math.round(acknowledgedIn)} ms (${SENDERS} senders), ${UNIQUE} processed once`,
    );
  }, 120_000);
});
