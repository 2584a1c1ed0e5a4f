import {
  Controller,
  Get,
  Header,
  Param,
  Query,
  Redirect,
  Res,
  StreamableFile,
} from '@nestjs/common';
import type { Response } from 'express';
import { contactPage } from '../common/html';
import { ClickQueryDto, TrackingParamsDto } from './dto/tracking.dto';
import { TrackingService } from './tracking.service';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The links inside a campaign email; each one is the contact's own doing (source `contact`). */
@Controller('t')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  @Get('open/:campaignId/:token')
  @Header('Cache-Control', 'no-store')
  async open(@Param() { campaignId, token }: TrackingParamsDto): Promise<StreamableFile> {
    await this.tracking.record('opened', campaignId, token);
    return new StreamableFile(PIXEL, { type: 'image/gif', length: PIXEL.length });
  }

  @Get('click/:campaignId/:token')
  @Redirect(undefined, 302)
  async click(
    @Param() { campaignId, token }: TrackingParamsDto,
    @Query() { url }: ClickQueryDto,
  ): Promise<{ url: string }> {
    await this.tracking.recordClick(campaignId, token, url);
    return { url };
  }

  @Get('forward/:campaignId/:token')
  async forward(
    @Param() { campaignId, token }: TrackingParamsDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { campaign } = await this.tracking.record('forwarded', campaignId, token);
    response.type('html');
    return contactPage(
      'Forward to a friend',
      `Forward "${campaign.subject}" to whoever might like it.`,
    );
  }

  @Get('share/:campaignId/:token')
  async share(
    @Param() { campaignId, token }: TrackingParamsDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { campaign } = await this.tracking.record('shared', campaignId, token);
    response.type('html');
    return contactPage('Share', `Thanks for sharing "${campaign.subject}".`);
  }
}
