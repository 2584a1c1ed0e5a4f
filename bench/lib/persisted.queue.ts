/**
 * B-persisted: what a Nest user writes by hand when a delivery log is needed. A TypeORM row per
 * delivery saved before a Bull job per delivery (job data = the delivery's id), a row per attempt.
 */
import { BullModule } from '@nestjs/bull';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseOptions, type DatabaseChildConfig } from './module-host';
import { PERSISTED_ENTITIES } from './persisted.entities';

export const PERSISTED_QUEUE = 'bench-persisted-webhooks';
export const PERSISTED_DELIVER_JOB = 'deliver';

export interface PersistedDeliveryJob {
  deliveryId: string;
}

/** Bull's own retries, as B-naive's jobs have them. */
export const PERSISTED_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
};

export interface PersistedConfig extends DatabaseChildConfig {
  redisUrl: string;
  bullPrefix: string;
  concurrency: number;
  connectionsPerOrigin: number;
  requestTimeoutMs: number;
}

/** What both B-persisted processes import: their schema's entities and the queue, as `applicationName`. */
export function persistedImports(config: PersistedConfig, applicationName: string) {
  return [
    TypeOrmModule.forRoot(databaseOptions(config, applicationName)),
    TypeOrmModule.forFeature(PERSISTED_ENTITIES),
    BullModule.forRoot({ url: config.redisUrl, prefix: config.bullPrefix }),
    BullModule.registerQueue({ name: PERSISTED_QUEUE }),
  ];
}
