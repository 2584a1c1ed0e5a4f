import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AttemptResult } from '../storage/attempt.store';
import type { AttemptTrigger } from '../storage/entities/attempt.entity';
import type { PrunedRows } from '../storage/history.store';
import type { DeliveryStatus } from '../storage/entities/delivery.entity';
import { SubscriptionStore } from '../storage/subscription.store';
import { WEBHOOKS_INBOUND_QUEUE, WEBHOOKS_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

type PromClient = typeof import('prom-client');
type Labels = Record<string, string>;

interface Recorders {
  attempts: { inc(labels: Labels): void };
  duration: { observe(labels: Labels, seconds: number): void };
  pruned: { inc(labels: Labels, value: number): void };
  inboundRequests: { inc(labels: Labels): void };
  inboundEvents: { inc(labels: Labels): void };
}

/** What became of a request to an inbound endpoint. */
export type InboundRequestOutcome = 'received' | 'duplicate' | 'rejected' | 'too_large';
/** What became of a processing attempt of an inbound event. */
export type InboundProcessingOutcome = 'processed' | 'retried' | 'failed';

function loadPromClient(): PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as PromClient;
  } catch {
    throw new Error(
      'WebhooksModule option `metrics` needs the prom-client package: npm install prom-client',
    );
  }
}

/**
 * Prometheus metrics (optional: `metrics: true` and prom-client installed): attempts by outcome, attempt
 * duration, history rows pruned, inbound requests and events, both queues' depth and disabled subscriptions. Queue and subscription gauges are read on scrape.
 */
@Injectable()
export class WebhooksMetrics implements OnModuleDestroy {
  private readonly recorders: Recorders | undefined;
  private readonly registered: Array<{
    registry: { removeSingleMetric(name: string): void };
    name: string;
  }> = [];

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) queue: Queue,
    @InjectQueue(WEBHOOKS_INBOUND_QUEUE) inboundQueue: Queue,
    subscriptions: SubscriptionStore,
  ) {
    const settings = options.metrics;
    if (!settings) return;
    const prom = loadPromClient();
    const registers = [
      (settings === true ? undefined : settings.registry) ?? prom.register,
    ] as Array<InstanceType<PromClient['Registry']>>;
    const prefix = (settings === true ? undefined : settings.prefix) ?? 'webhooks_';
    this.recorders = {
      attempts: new prom.Counter({
        name: `${prefix}delivery_attempts_total`,
        help: 'Delivery attempts by resulting delivery status, error kind and trigger.',
        labelNames: ['outcome', 'error_kind', 'trigger'],
        registers,
      }),
      duration: new prom.Histogram({
        name: `${prefix}attempt_duration_seconds`,
        help: 'Duration of delivery attempts (HTTP request and response).',
        labelNames: ['outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
      pruned: new prom.Counter({
        name: `${prefix}history_pruned_rows_total`,
        help: 'Rows of the delivery history deleted by retention, by table.',
        labelNames: ['table'],
        registers,
      }),
      inboundRequests: new prom.Counter({
        name: `${prefix}inbound_requests_total`,
        help: 'Requests to inbound endpoints by outcome (received, duplicate, rejected, too_large) and scheme.',
        labelNames: ['outcome', 'scheme'],
        registers,
      }),
      inboundEvents: new prom.Counter({
        name: `${prefix}inbound_events_total`,
        help: 'Processing attempts of inbound events by outcome (processed, retried, failed) and scheme.',
        labelNames: ['outcome', 'scheme'],
        registers,
      }),
    };
    for (const [name, help, jobs] of [
      ['queue_jobs', 'Jobs in the delivery queue by state.', queue],
      ['inbound_queue_jobs', 'Jobs in the inbound queue by state.', inboundQueue],
    ] as const) {
      new prom.Gauge({
        name: `${prefix}${name}`,
        help,
        labelNames: ['state'],
        registers,
        async collect() {
          const counts = await jobs.getJobCounts();
          for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
            this.set({ state }, counts[state]);
        },
      });
    }
    new prom.Gauge({
      name: `${prefix}subscriptions_disabled`,
      help: 'Subscriptions currently disabled.',
      registers,
      async collect() {
        this.set(await subscriptions.countWithStatus('disabled'));
      },
    });
    const registry = registers[0];
    for (const suffix of [
      'delivery_attempts_total',
      'attempt_duration_seconds',
      'history_pruned_rows_total',
      'inbound_requests_total',
      'inbound_events_total',
      'queue_jobs',
      'inbound_queue_jobs',
      'subscriptions_disabled',
    ]) {
      this.registered.push({ registry, name: `${prefix}${suffix}` });
    }
  }

  /** Unregisters the metrics, so a new module instance (tests, hot reload) can register them again. */
  onModuleDestroy(): void {
    for (const { registry, name } of this.registered) registry.removeSingleMetric(name);
  }

  recordAttempt(
    outcome: Pick<AttemptResult, 'errorKind' | 'durationMs'>,
    decision: { status: DeliveryStatus },
    trigger: AttemptTrigger,
  ): void {
    if (!this.recorders) return;
    this.recorders.attempts.inc({
      outcome: decision.status,
      error_kind: outcome.errorKind ?? 'none',
      trigger,
    });
    this.recorders.duration.observe({ outcome: decision.status }, outcome.durationMs / 1000);
  }

  recordInboundRequest(outcome: InboundRequestOutcome, scheme: string): void {
    this.recorders?.inboundRequests.inc({ outcome, scheme });
  }

  recordInboundProcessing(outcome: InboundProcessingOutcome, scheme: string): void {
    this.recorders?.inboundEvents.inc({ outcome, scheme });
  }

  recordPruned(rows: PrunedRows): void {
    if (!this.recorders) return;
    for (const table of ['events', 'deliveries', 'attempts'] as const) {
      if (rows[table] > 0) this.recorders.pruned.inc({ table }, rows[table]);
    }
  }
}
