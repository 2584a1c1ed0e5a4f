import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { INBOUND_JOB, WEBHOOKS_INBOUND_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { isInboundJobData } from './inbound.queue';
import { InboundProcessor } from './inbound.processor';

/** Attaches the inbound processor to the module's queue when this process is a worker. */
@Injectable()
export class InboundWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksInbound');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_INBOUND_QUEUE) private readonly queue: Queue,
    private readonly processor: InboundProcessor,
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
  }
}
