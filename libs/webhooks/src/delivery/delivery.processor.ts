import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ExpiringMap } from '../common/expiring-map';
import { SubscriptionStateService } from './subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { RetrySoonError } from '../webhooks.queue';
import { DeliveryAttempter, QueuedAttemptRequest } from './delivery-attempter';
import type { AttemptDelivery, LoadedDelivery, OrderingTurn } from '../storage/delivery.store';
import { DeliveryLoader } from './delivery-loader';
import { DeliveryDueTimes, parkLeaseMs } from './delivery-due-times';
import {
  DeliveryQueue,
  deliveryJobId,
  freshDeliveriesOf,
  isDeliveryJobData,
  isFirstAttemptsJobData,
  type FreshDelivery,
} from './delivery.queue';
import { EndpointThrottle } from './endpoint-throttle';
import { AttemptClaims } from './attempt-claims';
import { AttemptLeases } from './attempt-leases';
import { OrderingTurns } from './ordering-turns';
import { OriginScheduler, originOf, type ScheduledAttempt } from './origin-scheduler';
import { CarriedRows, uncarried } from './carried-rows';

type AttemptJob = ScheduledAttempt<LoadedDelivery>;

/** Where and since when an attempt to an origin known to be down waits (see `troubledAmong`). */
interface TroubledDelivery {
  origin: string;
  dueAt: Date;
}

/** How long the origin of a subscription seen in an attempt is remembered (see `troubledAmong`). */
const ORIGIN_MEMORY_MS = 10 * 60_000;

/**
 * Runs queued attempts of deliveries; schedules the next attempt when one is due. An attempt whose
 * origin has no free slot is parked by the `OriginScheduler` and runs when a slot frees up, so the
 * job that carried it finishes at once.
 */
@Injectable()
export class DeliveryProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly scheduler: OriginScheduler<LoadedDelivery>;
  /** How long past its predecessor's next attempt a delivery waiting for its turn is left alone. */
  private readonly turnLeaseMs: number;
  private readonly relayIntervalMs: number;
  /** The receiver origin of each subscription this worker attempted lately. */
  private readonly originOfSubscription = new ExpiringMap<string, string>(ORIGIN_MEMORY_MS);

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    private readonly loader: DeliveryLoader,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly dueTimes: DeliveryDueTimes,
    private readonly throttle: EndpointThrottle,
    private readonly turns: OrderingTurns,
    private readonly claims: AttemptClaims,
    private readonly attemptLeases: AttemptLeases,
    private readonly carriedRows: CarriedRows,
  ) {
    this.turnLeaseMs = parkLeaseMs(options);
    this.relayIntervalMs = options.relayIntervalMs;
    this.scheduler = new OriginScheduler(
      { ...options, parkLeaseMs: parkLeaseMs(options) },
      {
        resume: (job, origin) => this.deliver(job, origin),
        lease: (job, forMs) => dueTimes.lease(job, forMs),
        setDue: (jobs, at) => dueTimes.setDue(jobs, at),
        enqueue: (job, delayMs, origin) =>
          deliveryQueue.enqueueAttempt(job.deliveryId, job.attempt, delayMs, origin),
        warn: (message) => this.logger.warn(message),
      },
    );
  }

  /**
   * @param jobId the Bull job's: whether it is named after its attempt tells if it is `unguarded`.
   * @param attemptsMade the Bull job's: a job run again may have sent some of its deliveries.
   */
  async process(data: unknown, jobId: string, attemptsMade = 0): Promise<void> {
    if (isFirstAttemptsJobData(data)) {
      const fresh = freshDeliveriesOf(data);
      // A job queued by 0.1 carries ids only: its deliveries are loaded, as 0.1 did.
      if (fresh)
        return this.processFirstAttempts(attemptsMade === 0 ? fresh : fresh.map(uncarried));
      return this.runFirstAttempts(data.deliveryIds, undefined, new Map());
    }
    // A job whose Redis hash lost its data (Redis flushed while it was in flight, then Bull's failure
    // bookkeeping re-created the hash) must finish as a no-op: that frees its id for the relay, and a
    // lookup by an undefined id must never run.
    if (!isDeliveryJobData(data)) return;
    const { deliveryId, attempt, trigger = 'scheduled', origin, paced } = data;
    // This early check spares a database read when the origin is known to be busy.
    if (origin && this.scheduler.mustWait(origin)) {
      return this.scheduler.park({ deliveryId, attempt, trigger, paced }, origin);
    }
    const unguarded = jobId !== deliveryJobId(deliveryId, attempt);
    await this.deliver({ deliveryId, attempt, trigger, paced }, undefined, unguarded);
  }

  /** Parked attempts go back to the relay: their deliveries are due again at once. */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.close();
  }

  /**
   * First attempts of freshly emitted deliveries travel together: one job, one load, one record
   * batch. (`LocalFirstAttempts` calls it directly.) Those that carry their event and are fresh
   * need no load at all (see `CarriedRows`).
   */
  async processFirstAttempts(deliveries: readonly FreshDelivery[]): Promise<void> {
    const troubled = this.scheduler.anyTroubled ? this.troubledAmong(deliveries) : undefined;
    const carried = await this.carriedRows.of(
      troubled ? deliveries.filter((delivery) => !troubled.has(delivery.id)) : deliveries,
    );
    return this.runFirstAttempts(
      deliveries.map((delivery) => delivery.id),
      troubled,
      carried,
    );
  }

  /**
   * An infrastructure error fails the job after the others are done; Bull runs it again and the
   * attempts already recorded are skipped as stale.
   * @param troubled those of `deliveryIds` to park unloaded (see `troubledAmong`).
   * @param carried the rows of those sent without a load (see `CarriedRows`).
   */
  private async runFirstAttempts(
    deliveryIds: readonly string[],
    troubled: Map<string, TroubledDelivery> | undefined,
    carried: Map<string, LoadedDelivery>,
  ): Promise<void> {
    const results = await Promise.allSettled(
      deliveryIds.map(async (deliveryId) => {
        const job = { deliveryId, attempt: 1, trigger: 'scheduled' as const };
        const parking = troubled?.get(deliveryId);
        if (!parking) return this.deliver(job, undefined, true, carried.get(deliveryId));
        // Parked under its true due time, so that it is leased in time (see `OriginScheduler.park`).
        if (this.attemptLeases.isLate(parking.dueAt))
          return this.deliveryQueue.enqueueNow([{ deliveryId, attempt: 1 }]);
        return this.scheduler.park(job, parking.origin, parking.dueAt);
      }),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /**
   * The unordered deliveries among `deliveries` whose subscription's origin is known to be down (its
   * last attempt timed out or could not connect), with that origin and their due time. They are
   * parked unloaded: such an origin serves one attempt per timeout, so they would wait long anyway,
   * and loading each (its event and subscription) made a delivery to a hanging endpoint cost as much
   * as a healthy one (bench S3). What this needs comes with the job (see `FreshDelivery`), so it
   * costs no database read. A subscription whose URL changed meanwhile is parked under its old
   * origin, and moves to its new one when it resumes (`deliver`).
   */
  private troubledAmong(deliveries: readonly FreshDelivery[]): Map<string, TroubledDelivery> {
    const troubled = new Map<string, TroubledDelivery>();
    for (const { id, subscriptionId, ordered, dueAt } of deliveries) {
      const origin = this.originOfSubscription.get(subscriptionId);
      if (!ordered && origin !== undefined && this.scheduler.isTroubled(origin))
        troubled.set(id, { origin, dueAt });
    }
    return troubled;
  }

  /**
   * @param heldSlot the origin whose slot the caller already took for this attempt (a resumed one,
   *   which was parked within its lease).
   * @param unguarded no job named after the attempt keeps the relay's offer of it from running beside
   *   this one: it came in a first-attempts job, from `LocalFirstAttempts` or in a paced job (see
   *   `AttemptLeases`).
   * @param carried its row without a load (see `CarriedRows`).
   */
  private async deliver(
    queued: AttemptJob,
    heldSlot?: string,
    unguarded = false,
    carried?: LoadedDelivery,
  ): Promise<void> {
    let job = queued;
    const { deliveryId, attempt, trigger } = job;
    let slot = heldSlot;
    let untrack: (() => void) | undefined;
    try {
      // A parked attempt resuming within a second reuses its row: a fan-out parks thousands at once,
      // and loading each a second time made the bench's 10,000-delivery fan-out a fifth slower.
      const reused = this.scheduler.freshRow(job);
      const loaded = reused?.row ?? carried ?? (await this.loader.load(deliveryId));
      if (!loaded) return;
      const { delivery, subscription } = loaded;
      // A job for a finished or held delivery, or for an attempt already made, is stale.
      if (delivery.attempts !== attempt - 1) return;
      if (
        delivery.status === 'succeeded' ||
        delivery.status === 'exhausted' ||
        delivery.status === 'held' ||
        delivery.status === 'cancelled'
      )
        return;
      if (subscription.status !== 'active') {
        if (await this.state.hold(delivery)) return;
        throw new RetrySoonError('its subscription became active while it was being held');
      }
      // So late that the relay may have offered it: a job named after it, which Bull keeps once beside
      // that one (a paced attempt keeps its turn under the rate limit).
      if (unguarded && this.attemptLeases.isLate(delivery.nextAttemptAt))
        return await this.deliveryQueue.enqueueNow([{ deliveryId, attempt }], trigger, job.paced);
      // Leased while it waits (for its turn, a slot of its origin, a request slot) and while it runs.
      if (unguarded) untrack = this.attemptLeases.track(job, delivery.nextAttemptAt);

      // Ordered deliveries (an `orderingKey`) wait for their turn; paced ones and those resumed from
      // parking too, since an earlier one redelivered while they waited is the key's turn again. One
      // resumed within a second reuses the row it checked its turn with just before (a burst parks
      // thousands: each checking again cost S1-ordered about a tenth of its throughput). The load
      // tells whether an earlier one was unfinished; only then is the turn looked up (and waited
      // for), unless the row came from a lookup just made (`CarriedRows`). Unordered ones pay
      // nothing here.
      const { orderingKey } = delivery;
      if (
        orderingKey !== null &&
        !reused &&
        loaded.behindEarlier &&
        (await this.waitsForTurn(job, delivery, orderingKey, loaded.earlierTurn))
      )
        return;

      const origin = originOf(subscription.url);
      this.originOfSubscription.set(subscription.id, origin);
      if (subscription.rateLimit !== null && !job.paced) {
        const waitMs = await this.throttle.reserve(subscription.id, subscription.rateLimit);
        if (waitMs > 0) {
          // Its turn is later: due then for the relay (a worker crash loses nothing), and queued
          // to run then. Not an attempt, so not a failure.
          await this.dueTimes.setDue([job], new Date(Date.now() + waitMs));
          return await this.deliveryQueue.enqueuePaced(job, waitMs, origin);
        }
        // Its turn is now, even if it has to wait for a slot of the origin below.
        job = { ...job, paced: true };
      }
      if (slot !== origin) {
        // The URL changed while the attempt was parked: it queues for its new origin.
        if (slot) this.scheduler.release(slot);
        slot = undefined;
        if (!this.scheduler.tryClaim(origin)) {
          const parked = { ...job, loaded: reused ?? { row: loaded, at: Date.now() } };
          return await this.scheduler.park(parked, origin, delivery.nextAttemptAt);
        }
        slot = origin;
      }
      const leaveLane = await this.scheduler.enterLane(origin);
      let report;
      try {
        // In flight once at a time, whichever path reached this attempt (see `AttemptClaims`); claimed
        // once it has a request slot, so that the claim cannot expire while it waits for one.
        if (orderingKey !== null && !(await this.claims.claim(job))) return;
        report = await this.attempter.attempt(
          new QueuedAttemptRequest(loaded, attempt, trigger, ({ errorKind }) => {
            this.scheduler.requestEnded(origin, errorKind);
            slot = undefined;
            leaveLane();
          }),
        );
      } finally {
        leaveLane();
      }

      if (report.recorded && report.decision.retryDelayMs !== null) {
        await this.deliveryQueue.enqueueAttempt(
          deliveryId,
          attempt + 1,
          report.decision.retryDelayMs,
          origin,
        );
      }
      if (
        report.recorded &&
        orderingKey !== null &&
        (report.decision.status === 'succeeded' || report.decision.status === 'exhausted')
      ) {
        await this.wakeNextInTurn(delivery.subscriptionId, orderingKey);
      }
    } finally {
      untrack?.();
      if (slot) this.scheduler.release(slot);
    }
  }

  /**
   * True when an earlier delivery of the same subscription and key is unfinished: this one does not
   * send now, and no attempt is recorded (waiting is not failing). Its due time moves past the earlier
   * one's next attempt, so the relay leaves it alone; the earlier one wakes it when it is final (see
   * `wakeNextInTurn`), and the relay re-offers it after that lease if the wake-up got lost (a crash).
   *
   * One at a time: the turn is the unfinished delivery with the smallest id of the key, so at most
   * one delivery of a key passes this check at any moment; a delivery only stops being unfinished
   * once its attempt is recorded, so the next one can pass only after the earlier one's request
   * ended. Two paths reaching the same delivery at once (its first-attempts job and its predecessor's
   * wake-up, say) both pass: the claim before the request lets one of them send (`AttemptClaims`). (A
   * manual redelivery of a final delivery makes it unfinished again: see docs/delivery.md.)
   * @param known the earlier delivery's turn, when the caller has just looked it up.
   */
  private async waitsForTurn(
    job: AttemptJob,
    delivery: AttemptDelivery,
    orderingKey: string,
    known?: OrderingTurn,
  ): Promise<boolean> {
    const turn = known ?? (await this.turns.find(delivery.subscriptionId, orderingKey));
    // A turn after this one: this delivery became final meanwhile; the attempt is then not recorded.
    if (turn === null || turn.deliveryId >= delivery.id) return false;
    const after = Math.max(Date.now(), turn.nextAttemptAt?.getTime() ?? 0);
    const dueAt = after + this.turnLeaseMs;
    await this.dueTimes.setDue([job], new Date(dueAt));
    // Noted before the last check, so that an earlier one final after that check wakes this one; kept
    // until the relay offers this one again.
    await this.turns
      .waitUntil(delivery.subscriptionId, orderingKey, dueAt + this.relayIntervalMs)
      .catch((error: unknown) =>
        this.logger.warn(
          `A delivery waiting for its turn (ordering key ${JSON.stringify(orderingKey)}) waits for the relay: ${String(error)}`,
        ),
      );
    // Checked again once the lease is written: the earlier one may have become final in between, and
    // its wake-up found this one before the lease moved it (a job of the same id, dropped by Bull).
    const now = await this.turns.find(delivery.subscriptionId, orderingKey);
    return now !== null && now.deliveryId < delivery.id;
  }

  /**
   * A delivery with an ordering key became final: the next one of its key goes at once, if it waits
   * (see `TurnWaiters`; one that does not yet checks its turn itself when it starts). Its job id is
   * the attempt's usual one, so a job already queued for that attempt (a retry, the relay's) is kept;
   * one running beside another path is kept from sending twice by its claim. A lost wake-up only costs
   * the waiting lease.
   */
  private async wakeNextInTurn(subscriptionId: string, orderingKey: string): Promise<void> {
    try {
      const next = await this.turns.next(subscriptionId, orderingKey);
      if (next) await this.deliveryQueue.enqueueNow([next]);
    } catch (error) {
      this.logger.warn(
        `The next delivery of ordering key ${JSON.stringify(orderingKey)} waits for the relay: ${String(error)}`,
      );
    }
  }
}
