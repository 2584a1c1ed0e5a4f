import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  In,
  LessThan,
  LessThanOrEqual,
  MoreThan,
  QueryFailedError,
  type DataSource,
  type FindOptionsWhere,
} from 'typeorm';
import { WebhookInboundEvent, type InboundEventStatus } from '../entities/inbound-event.entity';
import {
  InboundEventStore,
  type DueInboundEvent,
  type InboundAttemptEnd,
  type InboundEventPageQuery,
  type ListedInboundEvent,
  type NewInboundEvent,
} from '../inbound-event.store';
import { entitySql } from '../sql/entity-sql';
import { LOWEST_UUID, rawDate, type SqlDialect } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';

const DUE: InboundEventStatus[] = ['received', 'processing'];
const SETTLED: InboundEventStatus[] = ['processed', 'failed'];

/** Every column but the body: what lists and claims read through the repository. */
const LISTED_COLUMNS = {
  id: true,
  endpointId: true,
  tenantId: true,
  listId: true,
  scheme: true,
  dedupKey: true,
  providerEventId: true,
  type: true,
  headers: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  receivedAt: true,
  processedAt: true,
} as const;

/**
 * The inbox on every database. The body is read back as the JSON column's text and parsed here:
 * MySQL's driver would parse it once and TypeORM a second time.
 */
@Injectable()
export class TypeOrmInboundEventStore extends InboundEventStore {
  private readonly bodyText: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
  ) {
    super();
    this.bodyText = dialect.jsonAsText(
      `event.${entitySql(dataSource, WebhookInboundEvent).column('body')}`,
    );
  }

  private get events() {
    return this.dataSource.getRepository(WebhookInboundEvent);
  }

  async insertIfNew(event: NewInboundEvent): Promise<boolean> {
    try {
      await this.events.insert({ ...event, status: 'received', attempts: 0 });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async claim(id: string, now: Date, leaseUntil: Date): Promise<WebhookInboundEvent | null> {
    const attempts = entitySql(this.dataSource, WebhookInboundEvent).column('attempts');
    const result = await this.events
      .createQueryBuilder()
      .update()
      .set({ status: 'processing', attempts: () => `${attempts} + 1`, nextAttemptAt: leaseUntil })
      .where({ id, status: In(DUE), nextAttemptAt: LessThanOrEqual(now) })
      .execute();
    if ((result.affected ?? 0) === 0) return null;
    const { entities, raw } = await this.events
      .createQueryBuilder('event')
      .addSelect(this.bodyText, 'body_text')
      .where('event.id = :id', { id })
      .getRawAndEntities<{ body_text: string }>();
    const [event] = entities;
    if (!event || event.status !== 'processing') return null;
    event.body = JSON.parse(raw[0].body_text) as string;
    return event;
  }

  async finish(id: string, attempt: number, end: InboundAttemptEnd): Promise<boolean> {
    const changes: Partial<WebhookInboundEvent> =
      end.status === 'processed'
        ? { status: 'processed', nextAttemptAt: null, processedAt: end.at, lastError: null }
        : end.status === 'received'
          ? { status: 'received', nextAttemptAt: end.nextAttemptAt, lastError: end.error }
          : { status: 'failed', nextAttemptAt: null, processedAt: end.at, lastError: end.error };
    if (changes.lastError) changes.lastError = changes.lastError.slice(0, 500);
    const result = await this.events.update(
      { id, status: 'processing', attempts: attempt },
      changes,
    );
    return (result.affected ?? 0) > 0;
  }

  async findDue(cutoff: Date, afterId: string | null, limit: number): Promise<DueInboundEvent[]> {
    const rows = await this.events.find({
      select: { id: true, attempts: true },
      where: {
        status: In(DUE),
        nextAttemptAt: LessThanOrEqual(cutoff),
        id: MoreThan(afterId ?? LOWEST_UUID),
      },
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map((row) => ({ id: row.id, attempt: row.attempts + 1 }));
  }

  async oldestDueAt(): Promise<Date | null> {
    const oldest = await this.events
      .createQueryBuilder('event')
      .select('MIN(event.nextAttemptAt)', 'oldest')
      .where('event.status IN (:...statuses)', { statuses: DUE })
      .getRawOne<{ oldest: Date | string | null }>();
    return oldest?.oldest ? rawDate(oldest.oldest) : null;
  }

  listPage({ endpointId, status, beforeId, limit }: InboundEventPageQuery) {
    const where: FindOptionsWhere<WebhookInboundEvent> = { endpointId };
    if (status) where.status = status;
    if (beforeId) where.id = LessThan(beforeId);
    return this.events.find({
      select: LISTED_COLUMNS,
      where,
      order: { id: 'DESC' },
      take: limit,
    }) as Promise<ListedInboundEvent[]>;
  }

  findInEndpoint(endpointId: string, id: string): Promise<ListedInboundEvent | null> {
    return this.events.findOne({ select: LISTED_COLUMNS, where: { endpointId, id } });
  }

  async pruneSettled(
    processedBefore: Date | null,
    failedBefore: Date | null,
    limit: number,
  ): Promise<number> {
    const where: Array<FindOptionsWhere<WebhookInboundEvent>> = [];
    if (processedBefore)
      where.push({ status: 'processed', processedAt: LessThan(processedBefore) });
    if (failedBefore) where.push({ status: 'failed', processedAt: LessThan(failedBefore) });
    if (where.length === 0) return 0;
    const rows = await this.events.find({ select: { id: true }, where, take: limit });
    if (rows.length === 0) return 0;
    // Still settled: a replay since the read keeps its event.
    const result = await this.events.delete({
      id: In(rows.map((row) => row.id)),
      status: In(SETTLED),
    });
    return result.affected ?? rows.length;
  }

  async replay(endpointId: string, id: string, at: Date): Promise<DueInboundEvent | null> {
    const result = await this.events.update(
      { endpointId, id, status: In(SETTLED) },
      { status: 'received', attempts: 0, nextAttemptAt: at, lastError: null, processedAt: null },
    );
    return (result.affected ?? 0) > 0 ? { id, attempt: 1 } : null;
  }
}

/** PostgreSQL, MySQL/MariaDB and SQLite codes for a unique constraint violation. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: unknown; errno?: unknown };
  return (
    driverError.code === '23505' ||
    driverError.errno === 1062 ||
    driverError.code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
