import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { WebhooksService, WebhooksTransactions } from 'nestjs-marketing-webhooks';
import { Contact } from '../contacts/contact.entity';
import { toContactView } from '../contacts/contact.view';
import { BOUNCE_JOB, BOUNCES_QUEUE, type BounceJob } from './bounces.queue';

/** Bounce processing: the contact is marked bounced and `campaign.bounced` goes out, source `system`. */
@Processor(BOUNCES_QUEUE)
export class BounceProcessor {
  private readonly logger = new Logger('Bounces');

  constructor(
    private readonly transactions: WebhooksTransactions,
    private readonly webhooks: WebhooksService,
  ) {}

  @Process(BOUNCE_JOB)
  async handle(job: Job<BounceJob>): Promise<void> {
    const { listId, email, reason, campaignId } = job.data;
    await this.transactions.run(async (manager) => {
      const contact = await manager.findOneBy(Contact, { listId, email });
      if (!contact) {
        this.logger.warn(`Bounce for ${email} ignored: no longer on list ${listId}`);
        return;
      }
      const previousStatus = contact.status;
      if (contact.status !== 'bounced') {
        contact.status = 'bounced';
        await manager.save(contact);
      }
      // Every bounce is reported, even for an address already marked bounced: it is a new fact.
      await this.webhooks.emit(
        {
          listId,
          type: 'campaign.bounced',
          source: 'system',
          data: { contact: toContactView(contact), reason, campaignId, previousStatus },
        },
        { manager },
      );
    });
  }
}
