import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateSubscriptionDto } from './create-subscription.dto';
import { DeliveriesQueryDto } from './pagination-query.dto';
import { UpdateSubscriptionDto } from './update-subscription.dto';

function problems<T extends object>(type: new () => T, plain: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(type, plain), {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).flatMap((error) => Object.values(error.constraints ?? {}));
}

const valid = { url: 'https://hooks.example.com/in', events: ['contact.subscribed'] };

describe('CreateSubscriptionDto', () => {
  it('accepts a minimal and a full subscription', () => {
    expect(problems(CreateSubscriptionDto, valid)).toEqual([]);
    expect(
      problems(CreateSubscriptionDto, {
        ...valid,
        sources: ['api', 'contact'],
        name: 'CRM',
        description: 'sync',
      }),
    ).toEqual([]);
  });

  it.each([
    ['a relative url', { url: '/hook' }, 'url'],
    ['an ftp url', { url: 'ftp://example.com/x' }, 'url'],
    ['a url that is a number', { url: 42 }, 'url'],
    ['an oversized url', { url: `https://example.com/${'a'.repeat(2100)}` }, 'url'],
    ['no events', { events: [] }, 'events'],
    ['events that are not an array', { events: 'contact.subscribed' }, 'events'],
    ['duplicate events', { events: ['contact.subscribed', 'contact.subscribed'] }, 'events'],
    [
      'too many events',
      { events: Array.from({ length: 101 }, (_, i) => `custom.e${i}`) },
      'events',
    ],
    ['an unknown source', { sources: ['robot'] }, 'sources'],
    ['an empty sources list', { sources: [] }, 'sources'],
    ['an oversized name', { name: 'n'.repeat(201) }, 'name'],
    ['an oversized description', { description: 'd'.repeat(1001) }, 'description'],
    ['an extra field', { secret: 'whsec_mine' }, 'secret'],
  ])('refuses %s, naming the field', (_label, change, field) => {
    const found = problems(CreateSubscriptionDto, { ...valid, ...change });
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((message) => message.includes(field))).toBe(true);
  });
});

describe('UpdateSubscriptionDto', () => {
  it('accepts any subset and the settable statuses', () => {
    expect(problems(UpdateSubscriptionDto, {})).toEqual([]);
    expect(problems(UpdateSubscriptionDto, { status: 'paused', name: 'x' })).toEqual([]);
  });

  it('refuses setting disabled or an unknown status', () => {
    expect(problems(UpdateSubscriptionDto, { status: 'disabled' })).toEqual([
      'status must be one of: active, paused',
    ]);
  });
});

describe('DeliveriesQueryDto', () => {
  it('converts limit and refuses out-of-range values', () => {
    expect(problems(DeliveriesQueryDto, { limit: '10', status: 'failed' })).toEqual([]);
    expect(problems(DeliveriesQueryDto, { limit: '0' }).join()).toContain('limit');
    expect(problems(DeliveriesQueryDto, { limit: 'ten' }).join()).toContain('limit');
    expect(problems(DeliveriesQueryDto, { status: 'lost' }).join()).toContain('status');
  });
});
