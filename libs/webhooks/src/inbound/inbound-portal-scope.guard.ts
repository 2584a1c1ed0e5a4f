import {
  ForbiddenException,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { PortalClaims } from '../admin/portal-token';
import { PORTAL_SESSION_REQUEST_KEY } from '../admin/webhooks-admin.guard';

/**
 * Inbound endpoints belong to the tenant, optionally to a list: a portal session limited to some lists
 * is refused here rather than shown the tenant's other endpoints. Runs after `WebhooksAdminGuard`.
 */
@Injectable()
export class InboundPortalScopeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const session = request[PORTAL_SESSION_REQUEST_KEY] as PortalClaims | undefined;
    if (session?.lists !== undefined) {
      throw new ForbiddenException(
        'a portal session limited to lists cannot manage inbound endpoints',
      );
    }
    return true;
  }
}
