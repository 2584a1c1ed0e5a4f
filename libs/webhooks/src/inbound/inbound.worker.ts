import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { INBOUND_JOB, PRUNE_INBOUND_JOB, WEBHOOKS_INBOUND_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { isInboundJobData } from './inbound.queue';
import { InboundProcessor } from './inbound.processor';
import { InboundPruner } from './inbound-pruner';

/**
 * Attaches the inbound processor and retention to the module's inbound queue when this process is a
 * worker, both in one synchronous step: a handler attached later, once the first one's `BRPOPLPUSH`
 * blocks the connection, can leave Bull's unawaited `CLIENT SETNAME` to fail on close as an unhandled
 * rejection (see DeliveryWorker).
 */
@Injectable()
export class InboundWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksInbound');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_INBOUND_QUEUE) private readonly queue: Queue,
    private readonly processor: InboundProcessor,
    private readonly pruner: InboundPruner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.worker) return;
    // Connected before the app counts as started: closing a queue still connecting can throw.
    await this.queue.isReady();
    this.queue
      .process(INBOUND_JOB, this.options.inboundConcurrency, async (job) => {
        // A job whose data Redis lost (flushed mid-write) is dropped: the relay re-creates it.
        if (isInboundJobData(job.data)) await this.processor.process(job.data);
      })
      .catch((error: unknown) =>
        this.logger.error(`Inbound webhook worker stopped: ${String(error)}`),
      );
    this.queue
      .process(PRUNE_INBOUND_JOB, 1, () => this.pruner.prune())
      .catch((error: unknown) => this.logger.error(`Inbound pruning stopped: ${String(error)}`));
  }
}
