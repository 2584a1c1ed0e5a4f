import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { WebhookStorageError } from '../webhooks.errors';
import type { NamedLock, SqlDialect } from './sql-dialect';
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
  /** Per lock name, the end of this process's queue for it; gone once the queue is empty. */
  private readonly exclusiveTails = new Map<string, Promise<unknown>>();
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
   * Runs `work` in a transaction that holds the lock named `name` until it has committed: transactions
   * given the same name run one after another, on any database. Callers of this process queue here
   * first, so only the head of the queue holds a pooled connection while it waits for the database's
   * lock, which serializes it with the other processes.
   */
  runExclusive<T>(name: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const lock = this.dialect.namedLock;
    if (!lock) return this.run(work);
    const ahead = this.exclusiveTails.get(name) ?? Promise.resolve();
    const result = ahead.then(() => this.runUnderNamedLock(lock, name, work));
    // A caller's failure is its own: the next one still runs.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.exclusiveTails.set(name, tail);
    void tail.then(() => {
      if (this.exclusiveTails.get(name) === tail) this.exclusiveTails.delete(name);
    });
    return result;
  }

  private async runUnderNamedLock<T>(
    lock: NamedLock,
    name: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    // MySQL caps lock names at 64 characters; a digest fits whatever the name.
    const key = `webhooks:${createHash('sha256').update(name).digest('base64url')}`;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      if (lock.heldBy === 'transaction') {
        return await runner.manager.transaction(async (manager) => {
          await manager.query(lock.acquire, [key]);
          return work(manager);
        });
      }
      const [acquired] = (await runner.query(lock.acquire, [key])) as Array<{ acquired: unknown }>;
      if (Number(acquired?.acquired) !== 1)
        throw new WebhookStorageError(`lock ${name} was not acquired in time`);
      try {
        return await runner.manager.transaction(work);
      } finally {
        await runner.query(lock.release, [key]);
      }
    } finally {
      await runner.release();
    }
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
