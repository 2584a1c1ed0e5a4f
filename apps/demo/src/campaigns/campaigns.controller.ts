import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { IdParamsDto, ListIdParamsDto } from '../common/id-params.dto';
import { RequestSource } from '../common/request-source.decorator';
import { RequestSourceGuard, type ManagementSource } from '../common/request-source.guard';
import type { Campaign } from './campaign.entity';
import { CampaignsService, type RecipientView } from './campaigns.service';
import { CreateCampaignDto } from './dto/create-campaign.dto';

@Controller()
@UseGuards(RequestSourceGuard)
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post('lists/:listId/campaigns')
  create(@Param() { listId }: ListIdParamsDto, @Body() body: CreateCampaignDto): Promise<Campaign> {
    return this.campaigns.create(listId, body);
  }

  @Get('lists/:listId/campaigns')
  findByList(@Param() { listId }: ListIdParamsDto): Promise<Campaign[]> {
    return this.campaigns.findByList(listId);
  }

  @Get('campaigns/:id')
  get(@Param() { id }: IdParamsDto): Promise<Campaign> {
    return this.campaigns.get(id);
  }

  /** Everyone the campaign went to, with the links of their copy (open pixel, clicks, unsubscribe…). */
  @Get('campaigns/:id/recipients')
  recipients(@Param() { id }: IdParamsDto): Promise<RecipientView[]> {
    return this.campaigns.listRecipients(id);
  }

  @Post('campaigns/:id/send')
  @HttpCode(HttpStatus.ACCEPTED)
  async send(
    @Param() { id }: IdParamsDto,
    @RequestSource() source: ManagementSource,
  ): Promise<{ campaignId: number; status: 'queued' }> {
    await this.campaigns.requestSend(id, source);
    return { campaignId: id, status: 'queued' };
  }
}
