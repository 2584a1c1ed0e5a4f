import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DeliveryStore } from '../storage/delivery.store';
import { InboundEventStore } from '../storage/inbound-event.store';
import { WEBHOOKS_QUEUE } from '../webhooks.constants';
import { withTimeout } from '../common/with-timeout';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

const PROBE_TIMEOUT_MS = 2_000;

export interface ComponentHealth {
  up: boolean;
  error?: string;
}

export interface WebhooksHealthReport {
  healthy: boolean;
  database: ComponentHealth;
  redis: ComponentHealth;
  /** Delivery backlog: `lagMs` is how overdue the oldest due delivery is; stuck past `stuckAfterMs`. */
  queue: Backlog;
  /** The same for inbound events still to be processed. */
  inbound: Backlog;
}

export type Backlog = ComponentHealth & { lagMs: number | null; stuck: boolean };

async function probe(work: () => Promise<unknown>): Promise<ComponentHealth> {
  try {
    await withTimeout(work(), PROBE_TIMEOUT_MS);
    return { up: true };
  } catch (error) {
    return { up: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether this process can do its job: the database and Redis answer, and due deliveries are not
 * piling up. Framework-free; `WebhooksHealthIndicator` (`nestjs-marketing-webhooks/health`) wraps it
 * for @nestjs/terminus.
 */
@Injectable()
export class WebhooksHealthService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly deliveries: DeliveryStore,
    private readonly inboundEvents: InboundEventStore,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
  ) {}

  async check(now = new Date()): Promise<WebhooksHealthReport> {
    const lag = (oldest: Date | null) =>
      oldest ? Math.max(0, now.getTime() - oldest.getTime()) : null;
    let deliveriesLag: number | null = null;
    let inboundLag: number | null = null;
    const [database, redis] = await Promise.all([
      probe(async () => {
        const [deliveries, inbound] = await Promise.all([
          this.deliveries.oldestDueAt(),
          this.inboundEvents.oldestDueAt(),
        ]);
        deliveriesLag = lag(deliveries);
        inboundLag = lag(inbound);
      }),
      probe(() => this.queue.client.ping()),
    ]);
    const queue = this.backlog(database.up, deliveriesLag, 'deliveries');
    const inbound = this.backlog(database.up, inboundLag, 'inbound events');
    return {
      healthy: database.up && redis.up && queue.up && inbound.up,
      database,
      redis,
      queue,
      inbound,
    };
  }

  private backlog(databaseUp: boolean, lagMs: number | null, what: string): Backlog {
    const stuck = lagMs !== null && lagMs > this.options.stuckAfterMs;
    return {
      up: databaseUp && !stuck,
      lagMs,
      stuck,
      ...(stuck && { error: `${what} overdue by ${lagMs} ms` }),
    };
  }
}
