import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { DELIVER_JOB, WEBHOOKS_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryProcessor } from './delivery.processor';
import type { DeliveryJobData } from './delivery.queue';

/**
 * Attaches the processor to the queue when this process is a worker. Registered by hand rather than
 * with `@Process()` so that `worker` and `concurrency` can come from (async) module options.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksWorker');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    private readonly processor: DeliveryProcessor,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker) return;
    this.queue
      .process(DELIVER_JOB, this.options.concurrency, (job) => this.processor.process(job.data))
      .catch((error: unknown) => this.logger.error(`Delivery worker stopped: ${String(error)}`));
    this.logger.log(`Delivering webhooks with concurrency ${this.options.concurrency}`);
  }
}
