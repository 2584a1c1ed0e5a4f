import { DemoHarness, type ContactBody } from './support/demo-harness';

/** The demo's answers to bad input: 400 naming the field, 404 for unknown ids, never a 5xx. */
describe('demo app: bad input (SQLite in memory, real Redis)', () => {
  let demo: DemoHarness;
  let listId: number;
  let bob: ContactBody;

  const http = () => demo.http();

  beforeAll(async () => {
    demo = await DemoHarness.start();
    ({ listId } = demo);
    const created = await http()
      .post(`/lists/${listId}/contacts`)
      .send({ email: 'bob@example.com' })
      .expect(201);
    bob = created.body as ContactBody;
  });

  afterAll(() => demo.close());

  it('answers 400 naming the field', async () => {
    const publicForm = await http()
      .post(`/public/lists/${listId}/subscribe`)
      .send({ email: 'not-an-email' })
      .expect(400);
    expect(publicForm.body).toMatchObject({ message: [expect.stringContaining('email')] });
    const admin = await http().post(`/lists/${listId}/contacts`).send({ email: 'x@' }).expect(400);
    expect(admin.body).toMatchObject({ message: [expect.stringContaining('email')] });
    const unknownField = await http()
      .post(`/lists/${listId}/contacts`)
      .send({ email: 'zed@example.com', role: 'owner' })
      .expect(400);
    expect(JSON.stringify(unknownField.body)).toContain('role');
    const fields = await http()
      .patch(`/contacts/${bob.id}`)
      .send({ fields: { nested: { no: true } } })
      .expect(400);
    expect(JSON.stringify(fields.body)).toContain('fields');
    const emailNull = await http().patch(`/contacts/${bob.id}`).send({ email: null }).expect(400);
    expect(JSON.stringify(emailNull.body)).toContain('email');
    // One message per bad id, not one per bound it misses.
    for (const bad of ['abc', '0', '99999999999']) {
      const id = await http().get(`/contacts/${bad}`).expect(400);
      expect(id.body.message).toEqual(['id must be a positive integer id']);
    }
    await http().post('/lists').send({ name: '' }).expect(400);
    await http().post(`/lists/${listId}/campaigns`).send({ subject: 'No body' }).expect(400);
    await http()
      .post('/bounces')
      .send({ email: 'ada@example.com', listId: 'one', reason: 'x' })
      .expect(400);
  });

  it('answers 404 to unknown ids', async () => {
    await http()
      .post('/public/lists/999999/subscribe')
      .send({ email: 'ghost@example.com' })
      .expect(404);
    await http().get('/lists/999999').expect(404);
    await http().post('/lists/999999/contacts').send({ email: 'ghost@example.com' }).expect(404);
    await http().post('/lists/999999/campaigns').send({ subject: 'x', body: 'y' }).expect(404);
    // The library's route asks the demo's lists (`admin.listExists`), and stores nothing.
    const hook = { url: 'https://example.com/hook', events: ['contact.subscribed'] };
    for (const unknown of ['999999', 'not-a-list', '99999999999']) {
      const refused = await http().post(`/lists/${unknown}/webhooks`).send(hook).expect(404);
      expect(refused.body).toMatchObject({
        code: 'list_not_found',
        message: [`list ${unknown} not found`],
      });
      expect((await http().get(`/lists/${unknown}/webhooks`).expect(200)).body.data).toEqual([]);
    }
    await http().get('/contacts/999999').expect(404);
    await http().patch('/contacts/999999').send({ firstName: 'X' }).expect(404);
    await http().post('/contacts/999999/unsubscribe').expect(404);
    await http().post('/campaigns/999999/send').expect(404);
    await http()
      .get(`/public/unsubscribe/${'y'.repeat(32)}`)
      .expect(404);
    await http()
      .post(`/public/profile/${'y'.repeat(32)}`)
      .send({ firstName: 'X' })
      .expect(404);
    await http()
      .post('/bounces')
      .send({ email: 'ghost@example.com', listId, reason: 'x' })
      .expect(404);
  });

  it('never answered with a 5xx', () => {
    expect(demo.serverErrors).toEqual([]);
  });
});
