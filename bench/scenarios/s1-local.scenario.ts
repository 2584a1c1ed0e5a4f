import type { BenchContext } from '../lib/bench.context';
import type { ModuleSide, StoreSideSpec } from '../lib/module-store';
import { bullJobsSummary } from '../lib/report.util';
import type { BullJobCount, BullJobsPerDelivery } from '../lib/results.types';

/**
 * S1-local: S1 on a PostgreSQL store of its own whose emitter process is a worker too, as a host
 * that emits and delivers in one process: it runs the first attempts of its own emits right after
 * they commit, without a Bull job (`delivery.localFirstAttempts`, the module's default, up to its
 * concurrency). Its worker process takes the rest through Bull, with retries and the relay.
 */
export const S1_LOCAL: StoreSideSpec = {
  id: 'S1-local',
  listPrefix: 's1l',
  database: 'postgres',
  emitterDelivers: true,
};

interface JobsSoFar {
  jobsAdded: number;
  deliveries: number;
}

async function jobsSoFar(side: ModuleSide): Promise<JobsSoFar> {
  const [jobsAdded, { deliveries }] = await Promise.all([
    side.services.bullJobsAdded(),
    side.services.historyRows(),
  ]);
  return { jobsAdded, deliveries };
}

function jobCount(jobsAdded: number, deliveries: number): BullJobCount {
  const perDelivery =
    deliveries === 0 ? null : Math.round((jobsAdded / deliveries) * 10_000) / 10_000;
  return { jobsAdded, deliveries, perDelivery };
}

export interface BullJobsWitness {
  /** Reads the counts once the side's saturated rounds are done. */
  roundsDone(): Promise<void>;
  /** Reads them again after its latency run, logs both parts and returns them. */
  runsDone(): Promise<BullJobsPerDelivery>;
}

/**
 * Proof of the path first attempts took: Bull jobs added to the side's delivery queue (its job-id
 * counter) per delivery in its store, over its saturated rounds and over its latency run. S1 hands
 * its first attempts to Bull up to 50 to a job (0.02 jobs per delivery and up); each one S1-local's
 * emitter runs itself is a delivery without a job. Its store holds only its own deliveries, and its
 * Bull prefix only its own jobs.
 */
export function witnessBullJobs(ctx: BenchContext, side: ModuleSide): BullJobsWitness {
  let afterRounds: JobsSoFar = { jobsAdded: 0, deliveries: 0 };
  return {
    async roundsDone() {
      afterRounds = await jobsSoFar(side);
    },
    async runsDone() {
      const atEnd = await jobsSoFar(side);
      const bullJobs: BullJobsPerDelivery = {
        rounds: jobCount(afterRounds.jobsAdded, afterRounds.deliveries),
        latency: jobCount(
          atEnd.jobsAdded - afterRounds.jobsAdded,
          atEnd.deliveries - afterRounds.deliveries,
        ),
      };
      ctx.log(`${side.id} Bull jobs per delivery: ${bullJobsSummary(bullJobs)}`);
      return bullJobs;
    },
  };
}
