import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookDelivery } from '../entities/delivery.entity';
import type { WebhookEvent } from '../entities/event.entity';
import { OutboxStore, type WrittenDelivery } from '../outbox.store';
import { fanOutQuery, planFanOut, type FanOutQuery } from '../sql/fan-out-plan';
import { insertEvents } from '../sql/insert-event';
import { insertRows } from '../sql/insert-rows';
import type { SqlDialect } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { WebhooksTransactions } from '../webhooks-transactions';

/** Rows per INSERT: well below SQLite's bind-parameter limit. */
const DELIVERY_INSERT_CHUNK = 500;

/**
 * The outbox on MySQL/MariaDB and SQLite: the deliveries are planned first (one query for the
 * receiving subscriptions of the events' lists, matched in JavaScript), then events and deliveries
 * are inserted in multi-row statements, in one transaction.
 */
@Injectable()
export class TypeOrmOutboxStore extends OutboxStore {
  private readonly candidates: FanOutQuery;
  readonly keepsEventsAsWritten: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    protected readonly transactions: WebhooksTransactions,
  ) {
    super();
    this.candidates = fanOutQuery(dataSource, dialect);
    this.keepsEventsAsWritten = dialect.name !== 'mysql';
  }

  write(events: readonly WebhookEvent[], manager?: EntityManager): Promise<WrittenDelivery[][]> {
    if (manager?.queryRunner?.isTransactionActive) return this.writeIn(manager, events);
    if (manager) return manager.transaction((transactional) => this.writeIn(transactional, events));
    return this.transactions.run((transactional) => this.writeIn(transactional, events));
  }

  async writeDirect(event: WebhookEvent, delivery: WebhookDelivery): Promise<void> {
    await this.transactions.run(async (manager) => {
      await insertEvents(manager, [event]);
      await manager.insert(WebhookDelivery, { ...delivery });
    });
  }

  private async writeIn(manager: EntityManager, events: readonly WebhookEvent[]) {
    const { rows, deliveries } = await planFanOut(manager, this.candidates, events);
    await insertEvents(manager, events);
    await insertRows(manager, WebhookDelivery, rows, DELIVERY_INSERT_CHUNK);
    return deliveries;
  }
}
