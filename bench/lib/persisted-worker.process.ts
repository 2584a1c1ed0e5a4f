/**
 * B-persisted worker: a Bull processor as a Nest user would write it for a delivery log. It loads
 * the delivery with its event and subscription (`findOne` with relations), signs like B-naive
 * (Standard Webhooks HMAC, the library's `webhookHeaders`), POSTs with undici, then saves an attempt
 * row and updates the delivery. Failures are retried by Bull (attempts and backoff of the job).
 * Same concurrency as the module's worker and B-naive's.
 */
import 'reflect-metadata';
import { Process, Processor } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Job } from 'bull';
import { Repository } from 'typeorm';
import { Agent, request } from 'undici';
import { JobCounts, serveBaselineWorker } from './baseline-child';
import { childConfig } from './ipc.rpc';
import { benchEnvelope, signedHeaders } from './payload.util';
import { PersistedAttempt, PersistedDelivery } from './persisted.entities';
import {
  PERSISTED_DELIVER_JOB,
  PERSISTED_JOB_OPTIONS,
  PERSISTED_QUEUE,
  type PersistedConfig,
  persistedImports,
  type PersistedDeliveryJob,
} from './persisted.queue';

const config = childConfig<PersistedConfig>();
const counts = new JobCounts();

class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
}

@Processor(PERSISTED_QUEUE)
class PersistedDeliveryProcessor {
  private readonly agent = new Agent({
    connections: config.connectionsPerOrigin,
    keepAliveTimeout: 10_000,
  });

  constructor(
    @InjectRepository(PersistedDelivery)
    private readonly deliveries: Repository<PersistedDelivery>,
    @InjectRepository(PersistedAttempt)
    private readonly attempts: Repository<PersistedAttempt>,
  ) {}

  @Process({ name: PERSISTED_DELIVER_JOB, concurrency: config.concurrency })
  async deliver(job: Job<PersistedDeliveryJob>): Promise<void> {
    try {
      await this.attempt(job);
      counts.completed++;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      counts.fail(name);
      throw error;
    }
  }

  private async attempt(job: Job<PersistedDeliveryJob>): Promise<void> {
    const delivery = await this.deliveries.findOne({
      where: { id: job.data.deliveryId },
      relations: { event: true, subscription: true },
    });
    if (!delivery || delivery.status !== 'pending') return;
    const { event, subscription } = delivery;
    const body = benchEnvelope(delivery.id, event.listId, event.data);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await request(subscription.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: signedHeaders(subscription.secret, delivery.id, body),
        body,
        headersTimeout: config.requestTimeoutMs,
        bodyTimeout: config.requestTimeoutMs,
      });
      statusCode = response.statusCode;
      await response.body.dump();
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const attemptNumber = job.attemptsMade + 1;
    await this.attempts.save(
      this.attempts.create({
        deliveryId: delivery.id,
        attemptNumber,
        statusCode,
        error,
        durationMs: Math.round(performance.now() - started),
      }),
    );
    if (error === null) {
      await this.deliveries.update(delivery.id, {
        status: 'delivered',
        attempts: attemptNumber,
        deliveredAt: new Date(),
      });
      return;
    }
    const last = attemptNumber >= PERSISTED_JOB_OPTIONS.attempts;
    await this.deliveries.update(delivery.id, {
      status: last ? 'failed' : 'pending',
      attempts: attemptNumber,
    });
    throw new DeliveryFailedError(error);
  }
}

@Module({
  imports: persistedImports(config, 'bench-persisted-worker'),
  providers: [PersistedDeliveryProcessor],
})
class PersistedWorkerModule {}

void serveBaselineWorker(PersistedWorkerModule, counts);
