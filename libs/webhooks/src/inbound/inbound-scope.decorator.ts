import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { PortalClaims } from '../admin/portal-token';
import { PORTAL_SESSION_REQUEST_KEY, TENANT_REQUEST_KEY } from '../admin/webhooks-admin.guard';
import type { InboundScope } from './webhook-inbound.service';

/**
 * What an admin request may reach: its tenant (resolved by `WebhooksAdminGuard`), and for a portal
 * session limited to some lists, those lists only.
 */
export const InboundScopeOf = createParamDecorator(
  (_: unknown, context: ExecutionContext): InboundScope => {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const session = request[PORTAL_SESSION_REQUEST_KEY] as PortalClaims | undefined;
    return {
      tenantId: request[TENANT_REQUEST_KEY] as string,
      ...(session?.lists && { lists: session.lists.map((list) => list.id) }),
    };
  },
);
