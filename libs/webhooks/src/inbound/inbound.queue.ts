import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { DueInboundEvent } from '../storage/inbound-event.store';
import { INBOUND_JOB, WEBHOOKS_INBOUND_QUEUE } from '../webhooks.constants';

export interface InboundJobData {
  eventId: string;
  /** The attempt this job makes; the claim decides whether it still may. */
  attempt: number;
}

export function isInboundJobData(data: unknown): data is InboundJobData {
  const { eventId, attempt } = (data ?? {}) as Partial<InboundJobData>;
  return typeof eventId === 'string' && eventId.length > 0 && Number.isInteger(attempt);
}

/** Job ids come from the event's state: enqueueing the same attempt twice is one job. */
export function inboundJobId(eventId: string, attempt: number): string {
  return `inbound:${eventId}#${attempt}`;
}

/** Inbound events travel on the module's inbound queue (ids only). */
@Injectable()
export class InboundQueue {
  constructor(@InjectQueue(WEBHOOKS_INBOUND_QUEUE) private readonly queue: Queue) {}

  async enqueue(events: readonly DueInboundEvent[], delayMs = 0): Promise<void> {
    if (events.length === 0) return;
    await this.queue.addBulk(
      events.map(({ id, attempt }) => ({
        name: INBOUND_JOB,
        data: { eventId: id, attempt } satisfies InboundJobData,
        opts: { jobId: inboundJobId(id, attempt), ...(delayMs > 0 && { delay: delayMs }) },
      })),
    );
  }
}
