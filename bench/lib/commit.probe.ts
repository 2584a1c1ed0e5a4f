import { Client } from 'pg';
import { DATABASE_URL } from '../../test/support/services';
import { LatencyRecorder, type LatencySummary } from './histogram.util';

const EVERY_MS = 200;
const SLOW_MS = 100;

export interface CommitProbeSnapshot {
  /** One autocommitted INSERT (one WAL flush) every 200 ms, timed from the bench process. */
  commit: LatencySummary;
  /** Probe commits slower than 100 ms: the disk stalled everyone's COMMIT at that moment. */
  slow: number;
}

/**
 * Watches the machine rather than the module: how long a tiny PostgreSQL commit takes while a
 * scenario runs. On this VM a WAL flush usually takes well under a millisecond, but the shared disk
 * sometimes stalls for hundreds of ms; this tells which figures such a stall touched.
 */
export class CommitProbe {
  private readonly recorder = new LatencyRecorder();
  private slow = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private constructor(
    private readonly client: Client,
    private readonly table: string,
  ) {}

  static async start(schema: string): Promise<CommitProbe> {
    const client = new Client({
      connectionString: DATABASE_URL,
      application_name: 'bench-commit-probe',
    });
    await client.connect();
    const table = `"${schema}"."bench_commit_probe"`;
    await client.query(
      `CREATE TABLE ${table} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`,
    );
    const probe = new CommitProbe(client, table);
    probe.timer = setInterval(() => {
      probe.running ??= probe.once().finally(() => (probe.running = undefined));
    }, EVERY_MS);
    return probe;
  }

  private async once(): Promise<void> {
    const started = performance.now();
    try {
      await this.client.query(`INSERT INTO ${this.table} DEFAULT VALUES`);
    } catch {
      return;
    }
    const elapsed = performance.now() - started;
    this.recorder.recordMs(elapsed);
    if (elapsed > SLOW_MS) this.slow++;
  }

  /** Figures since the last call, then starts over. */
  take(): CommitProbeSnapshot {
    const snapshot = { commit: this.recorder.summary(), slow: this.slow };
    this.recorder.reset();
    this.slow = 0;
    return snapshot;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.client.end().catch(() => undefined);
  }
}
