import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { WebhooksAdminRequest } from '../webhooks.options';
import { TENANT_REQUEST_KEY } from './webhooks-admin.guard';

/** The tenant that WebhooksAdminGuard resolved for this request. */
export const TenantId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<WebhooksAdminRequest>();
  return request[TENANT_REQUEST_KEY] as string;
});
