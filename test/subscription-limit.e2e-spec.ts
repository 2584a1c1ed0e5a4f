import request from 'supertest';
import type { App } from 'supertest/types';
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
});
