import { loadDemoConfig } from '../apps/demo/src/config/demo-config';
import { DemoHarness, type ContactBody } from './support/demo-harness';
import { isolatedDatabase, type IsolatedDatabase } from './support/services';

/**
 * The demo on MariaDB, as a newcomer starts it with `DATABASE_URL=mariadb://…`: its own tables and the
 * module's, contact and campaign events from each source, delivered and verified in its inbox. (The
 * full walk through every event runs on SQLite in demo.e2e-spec.ts.)
 */
describe('demo app on MariaDB (DATABASE_URL=mariadb://…)', () => {
  let database: IsolatedDatabase;
  let demo: DemoHarness;

  beforeAll(async () => {
    database = await isolatedDatabase('mariadb');
    const url = new URL((database.typeorm as { url: string }).url);
    url.protocol = 'mariadb:';
    demo = await DemoHarness.start({ DATABASE_URL: url.toString() });
  });

  afterAll(async () => {
    await demo?.close();
    await database?.drop();
  });

  it('delivers contact and campaign events, signed, to its inbox', async () => {
    const http = () => demo.http();
    await http()
      .post(`/public/lists/${demo.listId}/subscribe`)
      .type('form')
      .send('email=ada@example.com&firstName=Ada&fields[city]=Zürich')
      .expect(201);
    const subscribed = await demo.delivered('contact.subscribed', 'contact', 'ada@example.com');
    expect(subscribed.data).toMatchObject({
      contact: { email: 'ada@example.com', fields: { city: 'Zürich' } },
    });

    const bob = (
      await http().post(`/lists/${demo.listId}/contacts`).send({ email: 'bob@example.com' })
    ).body as ContactBody;
    await demo.delivered('contact.subscribed', 'admin', 'bob@example.com');
    await http().post(`/contacts/${bob.id}/unsubscribe`).expect(200);
    await demo.delivered('contact.unsubscribed', 'admin', 'bob@example.com');

    const campaign = await http()
      .post(`/lists/${demo.listId}/campaigns`)
      .send({ subject: 'Spring sale', body: 'https://shop.example.com/spring' })
      .expect(201);
    await http()
      .post(`/campaigns/${(campaign.body as { id: number }).id}/send`)
      .expect(202);
    const sent = await demo.delivered('campaign.sent', 'system');
    expect(sent.data).toMatchObject({ campaign: { subject: 'Spring sale' }, recipientCount: 1 });
    expect(demo.serverErrors).toEqual([]);
  });

  it('reads mysql:// and mariadb:// URLs, and refuses another kind with a clear message', () => {
    const database = (url: string) => loadDemoConfig({ DATABASE_URL: url }).database;
    expect(database('mysql://root@db:3306/demo')).toEqual({
      type: 'mysql',
      url: 'mysql://root@db:3306/demo',
    });
    expect(database('mariadb://root@db/demo').type).toBe('mariadb');
    expect(() => database('oracle://db:1521/x')).toThrow(
      /DATABASE_URL must look like postgres:\/\/.*mysql:\/\/, mariadb:\/\//,
    );
  });
});
