import request from 'supertest';
import type { App } from 'supertest/types';
import {
  DEFAULT_TENANT_ID,
  WebhookLimitError,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import { TEST_DATABASES } from './support/services';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const LIMIT = 8;
const body = { url: 'http://127.0.0.1:9/in', events: ['contact.updated'] };

/** `limits.maxSubscriptionsPerList` holds under concurrent creates (probe of issue 18 made 104–106 of 100). */
describe.each(TEST_DATABASES)('subscription limit on %s', (database) => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database,
      options: { limits: { maxSubscriptionsPerList: LIMIT } },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  const create = (listId: string) => request(http).post(`/lists/${listId}/webhooks`).send(body);
  const count = async (listId: string) =>
    (await request(http).get(`/lists/${listId}/webhooks`).query({ limit: 100 }).expect(200)).body
      .data.length as number;

  it('ends with exactly the limit when concurrent creates race for the last places', async () => {
    for (let i = 0; i < LIMIT - 3; i++) await create('crowded').expect(201);
    const answers = await Promise.all(Array.from({ length: 30 }, () => create('crowded')));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(27);
    expect(await count('crowded')).toBe(LIMIT);
  });

  it('counts each list on its own, even when lists fill up concurrently', async () => {
    const answers = await Promise.all(
      ['a', 'b'].flatMap((list) => Array.from({ length: LIMIT + 4 }, () => create(`own-${list}`))),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(2 * LIMIT);
    expect(await count('own-a')).toBe(LIMIT);
    expect(await count('own-b')).toBe(LIMIT);
  });

  // Each app queues its own creates in memory and has its own pool: only the database's lock keeps
  // the two apart. SQLite's database is private to one app.
  (database === 'sqlite' ? it.skip : it)('holds between two processes of one host', async () => {
    const other = await createWebhooksApp({
      database,
      options: { limits: { maxSubscriptionsPerList: LIMIT } },
      sharingStoreWith: hooks,
    });
    try {
      // Through the services, without HTTP's overhead: both queues fill up at once, so both apps
      // reach the last places together; each list is one more chance for them to meet there.
      const services = [hooks, other].map((app) => app.app.get(WebhookSubscriptionsService));
      const lists = ['two-processes-a', 'two-processes-b', 'two-processes-c', 'two-processes-d'];
      const outcomes = await Promise.all(
        lists.map((listId) =>
          Promise.allSettled(
            Array.from({ length: 15 }).flatMap(() =>
              services.map((service) =>
                service.create({ tenantId: DEFAULT_TENANT_ID, listId }, body),
              ),
            ),
          ),
        ),
      );
      for (const [index, listId] of lists.entries()) {
        const refused = outcomes[index].flatMap((outcome) =>
          outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
        );
        expect(refused).toHaveLength(30 - LIMIT);
        for (const reason of refused) expect(reason).toBeInstanceOf(WebhookLimitError);
        expect(await count(listId)).toBe(LIMIT);
      }
    } finally {
      await other.close();
    }
  });
});
