import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { OutboxHandOff } from './outbox-hand-off';

/**
 * Enqueues the deliveries written inside a host transaction once that transaction commits, and
 * forgets them if it rolls back: Redis never hears of a delivery the database does not have.
 */
@Injectable()
export class OutboxCommitSubscriber
  implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy
{
  private readonly pending = new WeakMap<QueryRunner, string[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handOff: OutboxHandOff,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** Holds delivery ids until the outermost transaction of this query runner ends. */
  deferUntilCommit(queryRunner: QueryRunner, deliveryIds: readonly string[]): void {
    const held = this.pending.get(queryRunner) ?? [];
    held.push(...deliveryIds);
    this.pending.set(queryRunner, held);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const { queryRunner } = event;
    if (queryRunner.isTransactionActive) return;
    const deliveryIds = this.pending.get(queryRunner);
    if (!deliveryIds) return;
    this.pending.delete(queryRunner);
    // Not awaited: the host's commit must not wait or fail because Redis is slow or down.
    void this.handOff.handOff(deliveryIds, 'a committed transaction');
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }
}
