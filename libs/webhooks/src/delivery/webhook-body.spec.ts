import { renderWebhookBody, type WebhookBodySource } from './webhook-body';

const data = {
  contact: { email: 'ana@example.com', name: 'Ana "A" Ñúñez\n', tags: ['a', 'b'] },
  'a&type=x': '\u0000 and \u2028',
};

const event: WebhookBodySource = {
  id: '0190a5b2-0000-7000-8000-000000000001',
  type: 'contact.subscribed',
  occurredAt: new Date('2026-11-23T10:00:00.000Z'),
  source: 'api',
  listId: 'list-1',
  dataJson: JSON.stringify(data),
};

describe('renderWebhookBody', () => {
  it('writes the stored data text into the JSON envelope, in the envelope order', () => {
    const { body, contentType } = renderWebhookBody(event, 'json');
    expect(contentType).toBe('application/json');
    expect(body).toBe(
      JSON.stringify({
        id: event.id,
        type: event.type,
        timestamp: '2026-11-23T10:00:00.000Z',
        source: 'api',
        listId: 'list-1',
        data,
      }),
    );
    expect(JSON.parse(body)).toMatchObject({ data });
  });

  it('accepts the occurrence time as the string a driver may return', () => {
    const { body } = renderWebhookBody(
      { ...event, occurredAt: '2026-11-23T10:00:00.000Z' as unknown as Date },
      'json',
    );
    expect(JSON.parse(body)).toMatchObject({ timestamp: '2026-11-23T10:00:00.000Z' });
  });

  it('encodes the form body from the parsed data, keys kept as bracket paths', () => {
    const { body, contentType } = renderWebhookBody(event, 'form');
    expect(contentType).toBe('application/x-www-form-urlencoded');
    const fields = new URLSearchParams(body);
    expect(fields.get('type')).toBe('contact.subscribed');
    expect(fields.get('data[contact][email]')).toBe('ana@example.com');
    expect(fields.get('data[contact][tags][1]')).toBe('b');
    expect(fields.get('data[a&type=x]')).toBe('\u0000 and \u2028');
    expect(fields.getAll('type')).toHaveLength(1);
  });
});
