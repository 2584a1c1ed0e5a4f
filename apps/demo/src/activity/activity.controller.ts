import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { IdParamsDto } from '../common/id-params.dto';
import { RequestSourceGuard } from '../common/request-source.guard';
import { ContactsService } from '../contacts/contacts.service';
import { ActivityService, type ActivityItem } from './activity.service';

/** A contact's activity: campaign opens and clicks, and custom events such as Shopify orders. */
@Controller()
@UseGuards(RequestSourceGuard)
export class ActivityController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly activity: ActivityService,
  ) {}

  @Get('contacts/:id/activity')
  async of(@Param() { id }: IdParamsDto): Promise<ActivityItem[]> {
    return this.activity.of(await this.contacts.get(id));
  }
}
