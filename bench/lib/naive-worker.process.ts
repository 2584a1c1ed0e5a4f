/**
 * B-naive worker: a Bull processor as a Nest user would write it by hand. It signs with the
 * library's `webhookHeaders` and POSTs with undici; no database at all. Same concurrency as the
 * module's worker.
 */
import 'reflect-metadata';
import { BullModule, Process, Processor } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import type { Job } from 'bull';
import { Agent, request } from 'undici';
import { JobCounts, serveBaselineWorker } from './baseline-child';
import { childConfig } from './ipc.rpc';
import {
  NAIVE_DELIVER_JOB,
  NAIVE_QUEUE,
  type NaiveConfig,
  type NaiveDeliveryJob,
} from './naive.queue';
import { benchEnvelope, signedHeaders } from './payload.util';

const config = childConfig<NaiveConfig>();
const counts = new JobCounts();

@Processor(NAIVE_QUEUE)
class NaiveDeliveryProcessor {
  private readonly agent = new Agent({
    connections: config.connectionsPerOrigin,
    keepAliveTimeout: 10_000,
  });

  @Process({ name: NAIVE_DELIVER_JOB, concurrency: config.concurrency })
  async deliver(job: Job<NaiveDeliveryJob>): Promise<void> {
    const { id, url, secret, listId, data } = job.data;
    const body = benchEnvelope(id, listId, data);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: signedHeaders(secret, id, body),
        body,
        headersTimeout: config.requestTimeoutMs,
        bodyTimeout: config.requestTimeoutMs,
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new Error(`receiver answered ${response.statusCode}`);
      }
      counts.completed++;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      counts.fail(name);
      throw error;
    }
  }
}

@Module({
  imports: [
    BullModule.forRoot({ url: config.redisUrl, prefix: config.bullPrefix }),
    BullModule.registerQueue({ name: NAIVE_QUEUE }),
  ],
  providers: [NaiveDeliveryProcessor],
})
class NaiveWorkerModule {}

void serveBaselineWorker(NaiveWorkerModule, counts);
