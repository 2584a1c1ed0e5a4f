import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DELIVER_JOB, WEBHOOKS_QUEUE } from '../webhooks.constants';

export interface DeliveryJobData {
  deliveryId: string;
  /** Which attempt this job makes (1 = the first). A job whose attempt is stale is skipped. */
  attempt: number;
}

/** Job ids are derived from the database state, so re-enqueueing the same attempt is a no-op. */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}#${attempt}`;
}

@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliveryJobData>) {}

  async enqueueFirstAttempts(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: DELIVER_JOB,
        data: { deliveryId, attempt: 1 },
        opts: { jobId: deliveryJobId(deliveryId, 1) },
      })),
    );
  }

  async enqueueAttempt(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    await this.queue.add(
      DELIVER_JOB,
      { deliveryId, attempt },
      { jobId: deliveryJobId(deliveryId, attempt), delay: delayMs },
    );
  }
}
