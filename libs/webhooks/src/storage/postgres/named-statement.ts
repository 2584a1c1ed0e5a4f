import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** What node-postgres' client offers that TypeORM's `query` does not: a statement's name. */
interface NamedQueryClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A statement sent as a named prepared statement: PostgreSQL parses it once per connection and,
 * after a few runs, plans it once too. TypeORM sends every statement unnamed, parsed and planned
 * on each call: planning the emit's statement took as long as running it for ten events.
 *
 * Only for a statement whose generic plan stays good as the tables grow. The load and the attempts'
 * record are not: a plan made while the deliveries table was small kept scanning it (bench S1 with
 * both prepared: latency p50 33-45 ms against 10-12 ms, on a host without autovacuum, where no
 * ANALYZE ever replaced the plan). The emit's statement reads only the subscriptions, by their scope.
 *
 * The name is derived from the text, so two texts (two schemas on one pool) never share a name.
 */
export class NamedStatement {
  private readonly name: string;

  constructor(
    private readonly dataSource: DataSource,
    readonly text: string,
  ) {
    this.name = `nest_hooks_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  }

  /** Its rows, run on `manager`'s connection when it has one (a host's transaction). */
  async query<Row>(values: unknown[], manager?: EntityManager): Promise<Row[]> {
    const borrowed = manager?.queryRunner;
    const runner = borrowed ?? this.dataSource.createQueryRunner('master');
    try {
      const client = (await runner.connect()) as NamedQueryClient;
      this.dataSource.logger.logQuery(this.text, values, runner);
      try {
        const { rows } = await client.query({ name: this.name, text: this.text, values });
        return rows as Row[];
      } catch (error) {
        this.dataSource.logger.logQueryError(String(error), this.text, values, runner);
        throw new QueryFailedError(this.text, values, error as Error);
      }
    } finally {
      if (!borrowed) await runner.release();
    }
  }
}
