import { randomBytes } from 'node:crypto';
import { DEFAULT_TENANT_ID, type WebhooksModuleOptions } from 'nestjs-marketing-webhooks';
import type { ListsService } from '../lists/lists.service';
import type { DemoConfig } from './demo-config';

export type PortalOptions = NonNullable<WebhooksModuleOptions['portal']>;

/**
 * The customer portal of the demo's one account, framed only by the demo's own pages, over every
 * list in the lists table. Without DEMO_PORTAL_KEY the links are signed with a key made now, so
 * they stop working when the process ends.
 */
export function demoPortalOptions(config: DemoConfig, lists: ListsService): PortalOptions {
  return {
    signingKeys: [
      { id: 'demo', secret: config.portalKey ?? randomBytes(32).toString('base64url') },
    ],
    frameAncestors: ["'self'"],
    // The demo's own look (public/home.css), so the framed portal does not stand out.
    theme: { primary: '#4f46e5', radius: '8px' },
    resolveLists: async (tenantId) =>
      tenantId === DEFAULT_TENANT_ID
        ? (await lists.findAll()).map((list) => ({ id: String(list.id), name: list.name }))
        : [],
  };
}
