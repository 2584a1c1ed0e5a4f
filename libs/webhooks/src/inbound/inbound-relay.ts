import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InboundEventStore } from '../storage/inbound-event.store';
import { PeriodicRun } from '../common/periodic-run';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { InboundQueue } from './inbound.queue';

const BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 20;

/**
 * The database is the inbox's source of truth: every worker re-enqueues, on the outbound relay's
 * timer (`delivery.relayIntervalMs`), events that are due but may have lost their job (stored just
 * before a crash, Redis flushed, a worker killed while it held one).
 */
@Injectable()
export class InboundRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhooksInbound');
  private readonly timer = new PeriodicRun();

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly events: InboundEventStore,
    private readonly queue: InboundQueue,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker || this.options.relayIntervalMs === 0) return;
    this.timer.start(
      this.options.relayIntervalMs,
      () => this.relay(),
      (error: unknown) =>
        this.logger.warn(`Inbound relay run failed, will retry: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }

  /** Re-enqueues due events, oldest first. Returns how many were offered to the queue. */
  async relay(now = new Date()): Promise<number> {
    // Jobs of the last interval are normally still on their way; leave them be.
    const cutoff = new Date(now.getTime() - this.options.relayIntervalMs);
    let after: string | null = null;
    let offered = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const due = await this.events.findDue(cutoff, after, BATCH);
      if (due.length === 0) break;
      await this.queue.enqueue(due);
      offered += due.length;
      after = due[due.length - 1].id;
      if (due.length < BATCH) break;
    }
    return offered;
  }
}
