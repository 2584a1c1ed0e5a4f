import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** Drivers that give TypeORM one shared connection: their transactions must not overlap. */
const SINGLE_CONNECTION_DRIVERS = new Set([
  'better-sqlite3',
  'sqljs',
  'capacitor',
  'react-native',
  'expo',
  'cordova',
  'nativescript',
]);

/**
 * Runs transactions. On PostgreSQL each gets a pooled connection, as usual. On SQLite, TypeORM shares
 * one connection, so two overlapping transactions fail ("cannot start a transaction within a
 * transaction") or, worse, nest: they are queued here one after another. Every transaction of the
 * library goes through it; hosts on SQLite should run theirs through it too.
 */
@Injectable()
export class WebhooksTransactions {
  private readonly serialized: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialized = SINGLE_CONNECTION_DRIVERS.has(dataSource.options.type);
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialized) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
