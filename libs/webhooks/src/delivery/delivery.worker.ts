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

/**
 * Attaches the handlers to the queue when this process is a worker. Registered by hand rather than
 * with `@Process()` so that `worker` and `concurrency` can come from (async) module options.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksWorker');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    private readonly processor: DeliveryProcessor,
    private readonly verifier: EndpointVerifier,
    private readonly prober: DisabledEndpointProber,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly reencryptor: SecretsReencryptor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.worker) return;
    const stopped = (error: unknown) =>
      this.logger.error(`Webhook worker stopped: ${String(error)}`);
    this.queue
      .process(DELIVER_JOB, this.options.concurrency, (job) => this.processor.process(job.data))
      .catch(stopped);
    this.queue
      .process(VERIFY_ENDPOINT_JOB, 2, (job) =>
        this.verifier.verify((job.data as VerifyEndpointJobData).subscriptionId),
      )
      .catch(stopped);
    this.queue.process(PROBE_DISABLED_JOB, 1, () => this.prober.probeDisabled()).catch(stopped);
    this.queue.process(REENCRYPT_SECRETS_JOB, 1, () => this.reencryptor.reencrypt()).catch(stopped);
    await this.deliveryQueue.ensureProbeSchedule(this.options.probeDisabledEveryMs);
    const [firstKey] = this.options.encryptionKeys;
    if (firstKey) await this.deliveryQueue.enqueueReencryption(firstKey.id);
    this.logger.log(`Delivering webhooks with concurrency ${this.options.concurrency}`);
  }
}
