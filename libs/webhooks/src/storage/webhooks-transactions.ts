import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import type { SqlDialect } from './sql-dialect';
import { SQL_DIALECT } from './storage.tokens';

interface CommitHook {
  onCommit: () => void;
  onRollback?: () => void;
}

/**
 * Runs transactions. On PostgreSQL and MySQL each gets a pooled connection, as usual. On SQLite,
 * TypeORM shares one connection, so two overlapping transactions fail ("cannot start a transaction
 * within a transaction") or, worse, nest: they are queued here one after another. Every transaction
 * of the library goes through it; hosts on SQLite should run theirs through it too.
 */
@Injectable()
export class WebhooksTransactions
  implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy
{
  private tail: Promise<unknown> = Promise.resolve();
  private readonly hooks = new WeakMap<QueryRunner, CommitHook[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
  ) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.dialect.singleConnection) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Calls `onCommit` once the outermost transaction `manager` is in commits (`onRollback` if it rolls
   * back). Returns false, calling nothing, when `manager` has no transaction under way.
   */
  afterCommit(manager: EntityManager, onCommit: () => void, onRollback?: () => void): boolean {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) return false;
    const hooks = this.hooks.get(runner) ?? [];
    hooks.push({ onCommit, onRollback });
    this.hooks.set(runner, hooks);
    return true;
  }

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    for (const hook of this.takeHooks(queryRunner)) hook.onCommit();
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    for (const hook of this.takeHooks(queryRunner)) hook.onRollback?.();
  }

  /** The hooks of a runner whose outermost transaction just ended (none for a nested one). */
  private takeHooks(queryRunner: QueryRunner): CommitHook[] {
    if (queryRunner.isTransactionActive) return [];
    const hooks = this.hooks.get(queryRunner) ?? [];
    this.hooks.delete(queryRunner);
    return hooks;
  }
}
