import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  DELIVER_JOB,
  PROBE_DISABLED_JOB,
  REENCRYPT_SECRETS_JOB,
  VERIFY_ENDPOINT_JOB,
  WEBHOOKS_QUEUE,
} from '../webhooks.constants';
import type { AttemptEvent, AttemptRef } from '../storage/delivery.store';
import type { AttemptTrigger } from '../storage/entities/attempt.entity';

export interface DeliveryJobData {
  deliveryId: string;
  /** Which attempt this job makes (1 = the first). A job whose attempt is stale is skipped. */
  attempt: number;
  trigger?: AttemptTrigger;
  /** The receiver's origin when known: a busy origin is then detected before any database read. */
  origin?: string;
  /** It waited for its endpoint's rate limit: it does not reserve another turn. */
  paced?: boolean;
}

/**
 * A delivery just written, with what is known of it before any load: enough for a worker to park
 * its first attempt unloaded while its subscription's origin is down (`DeliveryProcessor`).
 */
export interface FreshDelivery {
  id: string;
  subscriptionId: string;
  /** Whether it has an ordering key (such a one waits for its turn, so it is loaded first). */
  ordered: boolean;
  /** When it fell due, or up to a second earlier (taken before the write): never later. */
  dueAt: Date;
  /**
   * Its event, as the emit wrote it: with its subscription's snapshot, what its first attempt needs
   * without a load while it is fresh (see `CarriedRows`). Absent: loaded.
   */
  event?: AttemptEvent;
}

/** An event as a first-attempts job carries it: JSON, so its time in epoch ms. */
export type CarriedEvent = Omit<AttemptEvent, 'occurredAt'> & { occurredAt: number };

/**
 * Events whose data is longer than this go to Redis as ids only, and are loaded: a fan-out puts an
 * event in every job of its deliveries, and Redis holds them all while they wait.
 */
export const MAX_CARRIED_DATA_LENGTH = 16_384;

/** The first attempts of deliveries emitted together (see `enqueueFirstAttempts`). */
export interface FirstAttemptsJobData {
  deliveryIds: string[];
  /**
   * The rest of each one's `FreshDelivery`: subscription ids in the order of `deliveryIds`, the
   * positions of the ordered ones, the earliest due time (epoch ms). Jobs queued by 0.1 lack them:
   * their deliveries are loaded, never parked unloaded.
   */
  subscriptionIds?: string[];
  ordered?: number[];
  dueAt?: number;
  /** The distinct events carried (see `FreshDelivery.event`); `eventOf[i]` is deliveryIds[i]'s, or -1. */
  events?: CarriedEvent[];
  eventOf?: number[];
}

/** Job data as Bull hands it back: a hash that lost its fields (Redis flushed) must not pass. */
export function isDeliveryJobData(data: unknown): data is DeliveryJobData {
  const { deliveryId, attempt } = (data ?? {}) as Partial<DeliveryJobData>;
  return (
    typeof deliveryId === 'string' &&
    deliveryId.length > 0 &&
    Number.isInteger(attempt) &&
    (attempt ?? 0) >= 1
  );
}

export function isFirstAttemptsJobData(data: unknown): data is FirstAttemptsJobData {
  const { deliveryIds } = (data ?? {}) as Partial<FirstAttemptsJobData>;
  return Array.isArray(deliveryIds) && deliveryIds.every((id) => typeof id === 'string' && id);
}

/** The job's deliveries as `FreshDelivery`s, or null for a job that does not carry what they need. */
export function freshDeliveriesOf(data: FirstAttemptsJobData): FreshDelivery[] | null {
  const { deliveryIds, subscriptionIds, ordered = [], dueAt } = data;
  if (
    !Array.isArray(subscriptionIds) ||
    subscriptionIds.length !== deliveryIds.length ||
    !subscriptionIds.every((id) => typeof id === 'string') ||
    !Array.isArray(ordered) ||
    !ordered.every(
      (index) => Number.isInteger(index) && index >= 0 && index < deliveryIds.length,
    ) ||
    typeof dueAt !== 'number' ||
    !Number.isFinite(dueAt)
  )
    return null;
  const orderedAt = new Set(ordered);
  const events = carriedEventsOf(data);
  return deliveryIds.map((id, index) => ({
    id,
    subscriptionId: subscriptionIds[index],
    ordered: orderedAt.has(index),
    dueAt: new Date(dueAt),
    event: events?.[index],
  }));
}

/** Each delivery's carried event, or undefined for all when they are missing or damaged. */
function carriedEventsOf({
  deliveryIds,
  events,
  eventOf,
}: FirstAttemptsJobData): Array<AttemptEvent | undefined> | undefined {
  if (
    !Array.isArray(events) ||
    !events.every(isCarriedEvent) ||
    !Array.isArray(eventOf) ||
    eventOf.length !== deliveryIds.length ||
    !eventOf.every((index) => Number.isInteger(index) && index >= -1 && index < events.length)
  )
    return undefined;
  const read = events.map((event) => ({ ...event, occurredAt: new Date(event.occurredAt) }));
  return eventOf.map((index) => read[index]);
}

function isCarriedEvent(value: unknown): value is CarriedEvent {
  const event = (value ?? {}) as Partial<Record<keyof CarriedEvent, unknown>>;
  return (
    ['id', 'tenantId', 'listId', 'type', 'source', 'dataJson'].every(
      (field) => typeof event[field as keyof CarriedEvent] === 'string',
    ) &&
    (event.traceParent === null || typeof event.traceParent === 'string') &&
    (event.orderingKey === null || typeof event.orderingKey === 'string') &&
    typeof event.occurredAt === 'number' &&
    Number.isFinite(event.occurredAt)
  );
}

/** What a first-attempts job carries of its deliveries (read back by `freshDeliveriesOf`). */
export function firstAttemptsJobData(deliveries: readonly FreshDelivery[]): FirstAttemptsJobData {
  const ordered: number[] = [];
  deliveries.forEach((delivery, index) => delivery.ordered && ordered.push(index));
  const events: CarriedEvent[] = [];
  const positions = new Map<AttemptEvent, number>();
  const eventOf = deliveries.map(({ event }) => {
    if (!event || event.dataJson.length > MAX_CARRIED_DATA_LENGTH) return -1;
    let position = positions.get(event);
    if (position === undefined) {
      position = events.push({ ...event, occurredAt: event.occurredAt.getTime() }) - 1;
      positions.set(event, position);
    }
    return position;
  });
  return {
    deliveryIds: deliveries.map((delivery) => delivery.id),
    subscriptionIds: deliveries.map((delivery) => delivery.subscriptionId),
    ...(ordered.length > 0 && { ordered }),
    dueAt: Math.min(...deliveries.map((delivery) => delivery.dueAt.getTime())),
    ...(events.length > 0 && { events, eventOf }),
  };
}

export interface VerifyEndpointJobData {
  subscriptionId: string;
}

/** One attempt of one delivery, as a job names it. */
export type QueuedAttempt = AttemptRef;

/** Deliveries per first-attempts job: one Redis round trip and one database load for all of them. */
const FIRST_ATTEMPTS_PER_JOB = 50;

/**
 * Bull's priority for attempts someone is waiting for now: first attempts of fresh emits and manual
 * redeliveries. Bull serves prioritized jobs before all others, first come first served among
 * themselves, so after a pause, a restart or an outage they do not queue behind the backlog of due
 * retries and relayed attempts (which have no priority).
 */
const PROMPT = { priority: 1 } as const;

/** Verification and probe runs are not retried by Bull: the owner or the next occurrence tries again. */
const SINGLE_TRY = { attempts: 1 } as const;

/** Job ids are derived from the database state, so re-enqueueing the same attempt is a no-op. */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}#${attempt}`;
}

@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue) {}

  /**
   * First attempts go in jobs of up to FIRST_ATTEMPTS_PER_JOB deliveries: the per-job cost of Bull
   * (a dozen Redis commands) is paid once per group, not per delivery. Later attempts, relayed ones
   * and redeliveries are single jobs named after their attempt. First attempts go before any backlog.
   */
  async enqueueFirstAttempts(deliveries: readonly FreshDelivery[]): Promise<void> {
    const jobs = [];
    for (let start = 0; start < deliveries.length; start += FIRST_ATTEMPTS_PER_JOB) {
      const chunk = deliveries.slice(start, start + FIRST_ATTEMPTS_PER_JOB);
      jobs.push({
        name: DELIVER_JOB,
        data: firstAttemptsJobData(chunk),
        opts: { jobId: `first:${chunk[0]?.id}`, ...PROMPT },
      });
    }
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }

  /**
   * Enqueues attempts to run now; an attempt already waiting with a delay is brought forward. Manual
   * redeliveries go before any backlog; the relay's offers and wake-ups join it. `paced`: they had
   * their turn under their endpoint's rate limit already.
   */
  async enqueueNow(
    attempts: readonly QueuedAttempt[],
    trigger: AttemptTrigger = 'scheduled',
    paced?: boolean,
  ): Promise<void> {
    if (attempts.length === 0) return;
    const prompt = trigger === 'redelivery' ? PROMPT : {};
    const jobs = await this.queue.addBulk(
      attempts.map((attempt) => this.attemptJob(attempt, prompt, trigger, paced)),
    );
    if (trigger === 'scheduled') return;
    await Promise.all(
      jobs.map(async (job) => {
        if (await job.isDelayed()) await job.promote();
      }),
    );
  }

  private attemptJob(
    { deliveryId, attempt }: QueuedAttempt,
    opts: { priority?: number },
    trigger: AttemptTrigger = 'scheduled',
    paced?: boolean,
  ) {
    return {
      name: DELIVER_JOB,
      data: { deliveryId, attempt, trigger, ...(paced && { paced }) } satisfies DeliveryJobData,
      opts: { jobId: deliveryJobId(deliveryId, attempt), ...opts },
    };
  }

  async enqueueAttempt(
    deliveryId: string,
    attempt: number,
    delayMs: number,
    origin?: string,
  ): Promise<void> {
    await this.queue.add(
      DELIVER_JOB,
      { deliveryId, attempt, trigger: 'scheduled', origin } satisfies DeliveryJobData,
      { jobId: deliveryJobId(deliveryId, attempt), delay: delayMs },
    );
  }

  /**
   * An attempt that waits `delayMs` for its turn under its endpoint's rate limit. Its own job id: the
   * job that found it over the limit may still hold the attempt's usual one.
   */
  async enqueuePaced(
    { deliveryId, attempt, trigger }: QueuedAttempt & { trigger: AttemptTrigger },
    delayMs: number,
    origin: string,
  ): Promise<void> {
    await this.queue.add(
      DELIVER_JOB,
      { deliveryId, attempt, trigger, origin, paced: true } satisfies DeliveryJobData,
      { jobId: `${deliveryJobId(deliveryId, attempt)}:paced`, delay: delayMs },
    );
  }

  async enqueueEndpointVerification(subscriptionId: string): Promise<void> {
    await this.queue.add(
      VERIFY_ENDPOINT_JOB,
      { subscriptionId } satisfies VerifyEndpointJobData,
      SINGLE_TRY,
    );
  }

  /**
   * One re-encryption pass for the fleet: workers starting together with the same first key add the
   * same job id, so one of them runs it.
   */
  async enqueueReencryption(keyId: string): Promise<void> {
    await this.queue.add(
      REENCRYPT_SECRETS_JOB,
      {},
      {
        ...SINGLE_TRY,
        jobId: `${REENCRYPT_SECRETS_JOB}:${keyId}`,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** One repeatable probe job for the whole fleet (Bull runs each occurrence once); idempotent. */
  async ensureProbeSchedule(everyMs: number): Promise<void> {
    for (const repeatable of await this.queue.getRepeatableJobs()) {
      if (repeatable.name === PROBE_DISABLED_JOB && Number(repeatable.every) !== everyMs) {
        await this.queue.removeRepeatableByKey(repeatable.key);
      }
    }
    if (everyMs > 0)
      await this.queue.add(PROBE_DISABLED_JOB, {}, { ...SINGLE_TRY, repeat: { every: everyMs } });
  }
}
