import { Inject, Injectable, Logger } from '@nestjs/common';
import { HistoryStore } from '../storage/history.store';
import { InvalidWebhookEventError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

/** What `eraseSubject` did. */
export interface SubjectErasure {
  /** Events of the subject whose data was replaced by `{}`; they no longer name the subject. */
  eventsRedacted: number;
  /** Attempts of their deliveries whose stored response excerpt was removed. */
  attemptsRedacted: number;
  /** Their deliveries not sent yet (pending, held, failed awaiting a retry), now never sent. */
  deliveriesCancelled: number;
}

/** The right to erasure (GDPR art. 17) over the webhook history: one call per subject. */
@Injectable()
export class WebhooksErasureService {
  private readonly logger = new Logger('WebhooksErasure');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly history: HistoryStore,
  ) {}

  /**
   * Erases what is stored about `subject` (as given to `emit`), in every tenant and list, a batch of
   * `retention.batchSize` events at a time. Calling it again finds nothing left.
   */
  async eraseSubject(subject: string): Promise<SubjectErasure> {
    if (typeof subject !== 'string' || subject.length === 0) {
      throw new InvalidWebhookEventError('subject', 'must be a non-empty string');
    }
    const total: SubjectErasure = {
      eventsRedacted: 0,
      attemptsRedacted: 0,
      deliveriesCancelled: 0,
    };
    const limit = this.options.pruneBatchSize;
    for (;;) {
      const batch = await this.history.eraseSubjectBatch(subject, limit);
      total.eventsRedacted += batch.events;
      total.attemptsRedacted += batch.attempts;
      total.deliveriesCancelled += batch.deliveriesCancelled;
      // Events pruned meanwhile change no row: what the batch found says whether more are left.
      if (batch.found < limit) break;
    }
    this.logger.log(
      `Erased a subject: ${total.eventsRedacted} events and ${total.attemptsRedacted} attempts redacted, ${total.deliveriesCancelled} deliveries cancelled`,
    );
    return total;
  }
}
