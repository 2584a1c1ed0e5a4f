import { readShopifyOrder, readStripeCustomer, readTypeformAnswers } from './payloads';

describe("the demo's reading of provider payloads", () => {
  it('Stripe: the customer’s address, name and id; none without a valid email', () => {
    const event = (customer: object) => ({ type: 'customer.created', data: { object: customer } });
    expect(
      readStripeCustomer(
        event({ id: 'cus_1', email: ' Ada@Example.COM ', name: 'Ada  King Lovelace' }),
      ),
    ).toEqual({
      ok: true,
      value: {
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'King Lovelace',
        fields: { stripeCustomerId: 'cus_1' },
      },
    });
    expect(
      readStripeCustomer(event({ id: 'cus_2', email: 'bob@example.com', name: null })),
    ).toEqual({
      ok: true,
      value: { email: 'bob@example.com', fields: { stripeCustomerId: 'cus_2' } },
    });
    for (const email of [null, '', 'not-an-address', 42]) {
      expect(readStripeCustomer(event({ id: 'cus_3', email }))).toEqual({
        ok: false,
        ignored: 'the customer has no valid email',
      });
    }
    expect(readStripeCustomer(null)).toMatchObject({ ok: false });
  });

  it('Typeform: the email answer finds the contact, answers with a field-name ref become fields', () => {
    const answer = (ref: string, type: string, value: object) => ({
      type,
      ...value,
      field: { ref },
    });
    const payload = (answers: object[], hidden: object = {}) => ({
      event_type: 'form_response',
      form_response: { hidden, answers },
    });
    expect(
      readTypeformAnswers(
        payload([
          answer('city', 'choice', { choice: { label: 'Paris' } }),
          answer('email', 'email', { email: 'Ada@example.com' }),
          answer('backup_email', 'email', { email: 'ada@work.example' }),
          answer('langs', 'choices', { choices: { labels: ['en', 'fr'], other: 'it' } }),
          answer('score', 'number', { number: 9 }),
          answer('agreed', 'boolean', { boolean: false }),
          answer('site', 'url', { url: 'https://ada.example' }),
          answer('born', 'date', { date: '1815-12-10' }),
          answer('cv', 'file_url', { file_url: 'https://files.example/cv.pdf' }),
          answer('01HDEMO', 'text', { text: 'generated ref' }),
          answer('bad-name', 'text', { text: 'not a field name' }),
        ]),
      ),
    ).toEqual({
      ok: true,
      value: {
        email: 'ada@example.com',
        fields: {
          city: 'Paris',
          backup_email: 'ada@work.example',
          langs: 'en, fr, it',
          score: 9,
          agreed: false,
          site: 'https://ada.example',
          born: '1815-12-10',
        },
      },
    });
    expect(
      readTypeformAnswers(
        payload([answer('city', 'text', { text: 'Rome' })], { email: 'bob@example.com' }),
      ),
    ).toEqual({ ok: true, value: { email: 'bob@example.com', fields: { city: 'Rome' } } });
    expect(readTypeformAnswers(payload([answer('city', 'text', { text: 'Rome' })]))).toEqual({
      ok: false,
      ignored: 'the response has no email answer',
    });
    expect(
      readTypeformAnswers(payload([answer('email', 'email', { email: 'ada@example.com' })])),
    ).toEqual({ ok: false, ignored: 'no answer has a ref usable as a field name' });
  });

  it('Shopify: the order’s address (else contact_email, else the customer’s), name, total and items', () => {
    expect(
      readShopifyOrder({
        id: 820982911946154500,
        name: '#1001',
        contact_email: 'Ada@Example.com',
        total_price: '59.00',
        currency: 'EUR',
        line_items: [{}, {}],
      }),
    ).toEqual({
      ok: true,
      value: {
        email: 'ada@example.com',
        id: '820982911946154500',
        name: '#1001',
        total: '59.00',
        currency: 'EUR',
        items: 2,
      },
    });
    expect(
      readShopifyOrder({ id: 7, customer: { email: 'bob@example.com' }, total_price: 12.5 }),
    ).toMatchObject({
      ok: true,
      value: { email: 'bob@example.com', name: 'order 7', total: '12.50' },
    });
    expect(readShopifyOrder({ id: 8, email: null })).toEqual({
      ok: false,
      ignored: 'the order has no valid email',
    });
  });
});
