import { ApplicationConfig } from '@nestjs/core';
import { verifyPortalToken } from '../admin/portal-token';
import { PortalConfigurationError } from '../webhooks.errors';
import { resolveWebhooksOptions, type WebhooksModuleOptions } from '../webhooks.options';
import { WebhooksPortal, type CreatePortalSessionInput } from './webhooks-portal.service';

const KEY = { id: 'k1', secret: 's'.repeat(32) };
const NOW = new Date('2026-12-06T10:00:00Z');

function portalWith(
  options: WebhooksModuleOptions['portal'],
  globalPrefix = '',
  routePrefix = '',
): WebhooksPortal {
  const config = new ApplicationConfig();
  config.setGlobalPrefix(globalPrefix);
  return new WebhooksPortal(resolveWebhooksOptions({ portal: options }), config, routePrefix);
}

describe('WebhooksPortal.createSession', () => {
  const portal = portalWith({ signingKeys: [KEY], maxSessionTtlMs: 3_600_000 });

  it('signs the session with the first key, for the default time', () => {
    const link = portal.createSession(
      {
        tenantId: 'acme',
        lists: ['1', { id: '2', name: 'Customers' }],
        readOnly: true,
        locale: 'it',
      },
      NOW,
    );
    expect(verifyPortalToken(link.token, [KEY], NOW)).toMatchObject({
      sub: 'acme',
      lists: [
        { id: '1', name: '1' },
        { id: '2', name: 'Customers' },
      ],
      readOnly: true,
      locale: 'it',
      theme: null,
    });
    expect(link.expiresAt).toEqual(new Date(NOW.getTime() + 3_600_000));
  });

  it("puts the global prefix and the module's route prefix in the link", () => {
    const link = portalWith({ signingKeys: [KEY] }, '/api/', 'v1').createSession(
      { tenantId: 'acme', lists: ['1'] },
      NOW,
    );
    expect(link.url).toBe(`/api/v1/webhooks/portal#session=${link.token}`);
  });

  it.each<[string, Partial<CreatePortalSessionInput>, string]>([
    ['an empty tenant', { tenantId: '' }, 'tenantId'],
    ['a tenant over 128 characters', { tenantId: 't'.repeat(129) }, 'tenantId'],
    ['no lists', { lists: [] }, 'lists'],
    ['101 lists', { lists: Array.from({ length: 101 }, (_, index) => String(index)) }, 'lists'],
    ['a list without id', { lists: [{ name: 'x' } as never] }, 'lists[0].id'],
    ['a list name too long', { lists: [{ id: '1', name: 'n'.repeat(201) }] }, 'lists[0].name'],
    ['a session longer than allowed', { expiresInMs: 3_600_001 }, 'expiresInMs'],
    ['a negative lifetime', { expiresInMs: -1 }, 'expiresInMs'],
    ['an unknown locale', { locale: 'fr' as never }, 'locale'],
    ['an unknown theme', { theme: 'blue' as never }, 'theme'],
    ['readOnly not a boolean', { readOnly: 'yes' as never }, 'readOnly'],
  ])('refuses %s, naming the field', (_, change, field) => {
    const create = () => portal.createSession({ tenantId: 'acme', lists: ['1'], ...change }, NOW);
    expect(create).toThrow(PortalConfigurationError);
    expect(create).toThrow(expect.objectContaining({ field }));
  });

  it('needs signing keys', () => {
    expect(() => portalWith({}).createSession({ tenantId: 'acme', lists: ['1'] })).toThrow(
      /portal\.signingKeys/,
    );
  });

  it('lists the all-lists scope and every list of the tenant (resolveLists) for a session without lists', async () => {
    const all = portalWith({
      signingKeys: [KEY],
      resolveLists: (tenant) => [{ id: tenant, name: 'All' }],
    });
    await expect(all.listsOf({ sub: 'acme' })).resolves.toEqual([
      { id: 'acme', name: 'All' },
      { id: '*', name: 'All lists' },
    ]);
    await expect(portal.listsOf({ sub: 'acme' })).rejects.toThrow(/portal\.resolveLists/);
  });
});
