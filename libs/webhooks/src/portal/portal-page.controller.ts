import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Req,
  Res,
  ServiceUnavailableException,
  StreamableFile,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '../openapi/optional-swagger';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { PortalAssets } from './portal-assets';
import { apiBaseOf, portalSecurityHeaders, portalShell, portalThemeCss } from './portal-page';
import { PORTAL_ROUTE } from './webhooks-portal.service';

interface PageRequest {
  originalUrl?: string;
  url?: string;
}

/**
 * The portal page: a shell, its built script and styles, and the host's theme. Public: data only
 * comes through the admin routes, with the session's token. Absent (404) without signing keys.
 */
@ApiExcludeController()
@Controller(PORTAL_ROUTE)
export class PortalPageController {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly assets: PortalAssets,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  shell(@Req() request: PageRequest, @Res({ passthrough: true }) response: unknown): string {
    this.answerAsPortal(response);
    const pagePath = pathOf(request);
    return portalShell(pagePath, apiBaseOf(pagePath, PORTAL_ROUTE));
  }

  @Get('theme.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  theme(@Res({ passthrough: true }) response: unknown): string {
    this.answerAsPortal(response);
    return portalThemeCss(this.options.portalTheme);
  }

  @Get('assets/:name')
  @Header('Cache-Control', 'no-cache')
  async asset(
    @Param('name') name: string,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<StreamableFile> {
    this.answerAsPortal(response);
    const asset = await this.assets.get(name);
    if (!asset) {
      if (await this.assets.get('portal.js')) throw new NotFoundException();
      throw new ServiceUnavailableException(
        'the portal page is not built: run `npm run build:portal`',
      );
    }
    return new StreamableFile(asset.body, { type: asset.contentType });
  }

  private answerAsPortal(response: unknown): void {
    if (this.options.portalSigningKeys.length === 0) throw new NotFoundException();
    const { httpAdapter } = this.adapterHost;
    for (const [name, value] of Object.entries(
      portalSecurityHeaders(this.options.portalFrameAncestors),
    )) {
      httpAdapter.setHeader(response, name, value);
    }
  }
}

function pathOf(request: PageRequest): string {
  const url = request.originalUrl ?? request.url ?? `/${PORTAL_ROUTE}`;
  return url.split('?')[0].replace(/\/+$/, '');
}
