import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  DELIVER_JOB,
  PROBE_DISABLED_JOB,
  REENCRYPT_SECRETS_JOB,
  VERIFY_ENDPOINT_JOB,
  WEBHOOKS_QUEUE,
} from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryQueue, type VerifyEndpointJobData } from './delivery.queue';
import { DisabledEndpointProber } from './disabled-endpoint-prober';
import { EndpointVerifier } from './endpoint-verifier';
import { SecretsReencryptor } from './secrets-reencryptor';

/** A job of the delivery queue that another provider runs (retention's), one at a time. */
interface ExtraJob {
  name: string;
  run: () => Promise<unknown>;
  stopped: string;
}

/**
 * Attaches the handlers to the queue when this process is a worker. Registered by hand rather than
 * with `@Process()` so that `worker` and `concurrency` can come from (async) module options.
 *
 * All of the queue's handlers, the other providers' (`addJob`) included, are attached here in one
 * synchronous step: every `queue.process()` sends a `CLIENT SETNAME` on the queue's blocking
 * connection that Bull never awaits. Sent once a handler's `BRPOPLPUSH` already waits there, its reply
 * queues behind it (up to `drainDelay`); a queue closed meanwhile drops the connection, and the
 * command fails as an unhandled rejection ("Connection is closed.") that crashes the host. Nest 12 runs
 * `onApplicationBootstrap` level by level, so a handler attached by another provider's hook came that
 * late.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly extraJobs: ExtraJob[] = [];

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    private readonly processor: DeliveryProcessor,
    private readonly verifier: EndpointVerifier,
    private readonly prober: DisabledEndpointProber,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly reencryptor: SecretsReencryptor,
  ) {}

  /** Has `run` process the queue's `name` jobs; call before bootstrap (`onModuleInit`). */
  addJob(name: string, run: () => Promise<unknown>, stopped: string): void {
    this.extraJobs.push({ name, run, stopped });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.worker) return;
    const stopped = (error: unknown) =>
      this.logger.error(`Webhook worker stopped: ${String(error)}`);
    this.queue
      .process(DELIVER_JOB, this.options.concurrency, (job) =>
        this.processor.process(job.data, String(job.id), job.attemptsMade),
      )
      .catch(stopped);
    this.queue
      .process(VERIFY_ENDPOINT_JOB, 2, (job) =>
        this.verifier.verify((job.data as VerifyEndpointJobData).subscriptionId),
      )
      .catch(stopped);
    this.queue.process(PROBE_DISABLED_JOB, 1, () => this.prober.probeDisabled()).catch(stopped);
    this.queue.process(REENCRYPT_SECRETS_JOB, 1, () => this.reencryptor.reencrypt()).catch(stopped);
    for (const job of this.extraJobs) {
      this.queue
        .process(job.name, 1, job.run)
        .catch((error: unknown) => this.logger.error(`${job.stopped}: ${String(error)}`));
    }
    await this.deliveryQueue.ensureProbeSchedule(this.options.probeDisabledEveryMs);
    const [firstKey] = this.options.encryptionKeys;
    if (firstKey) await this.deliveryQueue.enqueueReencryption(firstKey.id);
    this.logger.log(`Delivering webhooks with concurrency ${this.options.concurrency}`);
  }
}
