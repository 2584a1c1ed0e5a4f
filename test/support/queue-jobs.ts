import type { Job, Queue } from 'bull';
import { In } from 'typeorm';
import { WebhookDelivery, type DeliveryStatus } from './internals';
import { VERIFY_ENDPOINT_JOB } from '../../libs/webhooks/src/webhooks.constants';
import { eventually } from './eventually';
import type { WebhooksTestApp } from './webhooks-app';

/** Ids of the deliveries that a job waiting, delayed or running in the queue would attempt. */
export async function deliveriesInQueue(queue: Queue): Promise<Set<string>> {
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'paused']);
  const ids = new Set<string>();
  for (const job of jobs) {
    const data = (job?.data ?? {}) as { deliveryId?: string; deliveryIds?: string[] };
    if (data.deliveryId) ids.add(data.deliveryId);
    for (const id of data.deliveryIds ?? []) ids.add(id);
  }
  return ids;
}

const FINAL: ReadonlySet<DeliveryStatus> = new Set(['succeeded', 'exhausted']);

/**
 * Waits until each delivery has its last attempt recorded (succeeded or exhausted) and no job is
 * left that would attempt it: from then on nothing can be sent for them. Returns their rows.
 */
export async function deliveriesSettled(
  hooks: WebhooksTestApp,
  deliveryIds: readonly string[],
): Promise<WebhookDelivery[]> {
  return eventually(
    async () => {
      const rows = await hooks.dataSource
        .getRepository(WebhookDelivery)
        .findBy({ id: In([...deliveryIds]) });
      if (rows.length !== deliveryIds.length) return undefined;
      if (!rows.every((row) => FINAL.has(row.status) && row.nextAttemptAt === null))
        return undefined;
      const queued = await deliveriesInQueue(hooks.queue);
      return deliveryIds.every((id) => !queued.has(id)) && rows;
    },
    { what: 'the deliveries settled' },
  );
}

/** Counts, per subscription, the endpoint verification jobs that ended from now on. */
export function watchVerifications(queue: Queue) {
  const ended = new Map<string, number>();
  const listener = (job: Job) => {
    if (job.name !== VERIFY_ENDPOINT_JOB) return;
    const { subscriptionId } = job.data as { subscriptionId: string };
    ended.set(subscriptionId, (ended.get(subscriptionId) ?? 0) + 1);
  };
  queue.on('completed', listener);
  queue.on('failed', listener);
  return {
    /** Resolves once `count` verifications of the subscription ended (challenge sent, answer judged). */
    async ended(subscriptionId: string, count = 1): Promise<void> {
      await eventually(() => (ended.get(subscriptionId) ?? 0) >= count, {
        what: `${count} verification(s) of ${subscriptionId}`,
      });
    },
    stop() {
      queue.removeListener('completed', listener);
      queue.removeListener('failed', listener);
    },
  };
}
