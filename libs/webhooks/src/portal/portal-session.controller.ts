import { Controller, Get, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { PortalClaims } from '../admin/portal-token';
import {
  PORTAL_SESSION_REQUEST_KEY,
  OpenToPortal,
  WebhooksAdminGuard,
} from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { ApiExcludeController } from '../openapi/optional-swagger';
import { PortalSessionError } from '../webhooks.errors';
import type { PortalList } from '../webhooks.options';
import { PORTAL_ROUTE, WebhooksPortal } from './webhooks-portal.service';

export interface PortalSessionView {
  lists: PortalList[];
  readOnly: boolean;
  locale: string | null;
  theme: 'light' | 'dark' | null;
  expiresAt: string;
}

/** What the page needs to know about its own session. Only a portal token gets an answer. */
@ApiExcludeController()
@Controller(PORTAL_ROUTE)
@UseGuards(WebhooksAdminGuard)
@UseFilters(WebhooksErrorFilter)
@OpenToPortal()
export class PortalSessionController {
  constructor(private readonly portal: WebhooksPortal) {}

  @Get('session')
  async session(
    @Req() request: { [PORTAL_SESSION_REQUEST_KEY]?: PortalClaims },
  ): Promise<PortalSessionView> {
    const session = request[PORTAL_SESSION_REQUEST_KEY];
    if (!session) throw PortalSessionError.invalid();
    return {
      lists: await this.portal.listsOf(session),
      readOnly: session.readOnly,
      locale: session.locale,
      theme: session.theme,
      expiresAt: new Date(session.exp * 1000).toISOString(),
    };
  }
}
