/**
 * B-persisted producer: the host's side of a hand-written delivery log. For each event, one
 * TypeORM transaction saves the event row and a pending delivery row per subscription of the list
 * (repository `save`); after the commit, one Bull job per delivery carries the delivery's id.
 */
import 'reflect-metadata';
import { InjectQueue } from '@nestjs/bull';
import { Injectable, Module } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, Repository } from 'typeorm';
import { childConfig } from './ipc.rpc';
import { serveBaselineProducer } from './baseline-child';
import { BENCH_EVENT_TYPE, benchData } from './payload.util';
import { PersistedDelivery, PersistedEvent, PersistedSubscription } from './persisted.entities';
import {
  PERSISTED_DELIVER_JOB,
  PERSISTED_JOB_OPTIONS,
  PERSISTED_QUEUE,
  type PersistedConfig,
  persistedImports,
  type PersistedDeliveryJob,
} from './persisted.queue';

const config = childConfig<PersistedConfig>();

@Injectable()
class PersistedWebhooks {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(PersistedSubscription)
    private readonly subscriptions: Repository<PersistedSubscription>,
    @InjectQueue(PERSISTED_QUEUE) private readonly queue: Queue<PersistedDeliveryJob>,
  ) {}

  async emit(listId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const subscriptions = await this.subscriptions.find({ where: { listId, active: true } });
    const deliveries = await this.dataSource.transaction(async (manager) => {
      const event = await manager.save(manager.create(PersistedEvent, { listId, type, data }));
      return manager.save(
        subscriptions.map((subscription) =>
          manager.create(PersistedDelivery, {
            eventId: event.id,
            subscriptionId: subscription.id,
            status: 'pending',
          }),
        ),
      );
    });
    for (const delivery of deliveries) {
      await this.queue.add(
        PERSISTED_DELIVER_JOB,
        { deliveryId: delivery.id },
        PERSISTED_JOB_OPTIONS,
      );
    }
  }
}

@Module({
  imports: persistedImports(config, 'bench-persisted-producer'),
  providers: [PersistedWebhooks],
})
class PersistedProducerModule {}

void serveBaselineProducer(PersistedProducerModule, (app) => {
  const webhooks = app.get(PersistedWebhooks);
  return (list, seq, emittedAtMs) =>
    webhooks.emit(list.listId, BENCH_EVENT_TYPE, benchData(seq, emittedAtMs));
});
