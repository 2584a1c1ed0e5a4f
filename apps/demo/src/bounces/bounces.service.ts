import { InjectQueue } from '@nestjs/bull';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { Campaign } from '../campaigns/campaign.entity';
import { Contact } from '../contacts/contact.entity';
import { ListsService } from '../lists/lists.service';
import { BOUNCE_JOB, BOUNCES_QUEUE, type BounceJob } from './bounces.queue';
import type { ReportBounceDto } from './dto/report-bounce.dto';

@Injectable()
export class BouncesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(BOUNCES_QUEUE) private readonly queue: Queue<BounceJob>,
    private readonly lists: ListsService,
  ) {}

  /** Checks what can be checked now, so the provider hears about unknown ids, then queues the work. */
  async report(input: ReportBounceDto): Promise<void> {
    await this.lists.get(input.listId);
    if (
      !(await this.dataSource
        .getRepository(Contact)
        .existsBy({ listId: input.listId, email: input.email }))
    ) {
      throw new NotFoundException(`${input.email} is not on list ${input.listId}`);
    }
    const campaignId = input.campaignId ?? null;
    if (
      campaignId !== null &&
      !(await this.dataSource
        .getRepository(Campaign)
        .existsBy({ id: campaignId, listId: input.listId }))
    ) {
      throw new NotFoundException(`campaign ${campaignId} not found on list ${input.listId}`);
    }
    await this.queue.add(
      BOUNCE_JOB,
      { listId: input.listId, email: input.email, reason: input.reason, campaignId },
      {
        attempts: 3,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }
}
