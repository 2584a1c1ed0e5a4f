import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DEFAULT_TENANT_ID, WebhooksPortal } from 'nestjs-marketing-webhooks';
import { settingsPage } from './home.pages';
import { HtmlPage } from './page-security.decorator';

/** Settings → Webhooks: the customer portal, embedded for the demo's account. */
@ApiExcludeController()
@Controller('settings')
export class SettingsController {
  constructor(private readonly portal: WebhooksPortal) {}

  @Get('webhooks')
  @HtmlPage()
  webhooks(): string {
    // No `lists`: the session covers every list of the account, as portal.resolveLists finds them.
    return settingsPage(this.portal.createSession({ tenantId: DEFAULT_TENANT_ID }));
  }
}
