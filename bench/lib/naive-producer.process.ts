/**
 * B-naive producer: the host's side of the hand-written version. For each event it adds one Bull
 * job per subscription (here one) carrying URL, secret and payload; nothing is written to a database.
 */
import 'reflect-metadata';
import { BullModule, InjectQueue } from '@nestjs/bull';
import { Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bull';
import { v7 as uuidv7 } from 'uuid';
import type { LoadList } from './child.apis';
import { childConfig } from './ipc.rpc';
import { serveBaselineProducer } from './baseline-child';
import {
  NAIVE_DELIVER_JOB,
  NAIVE_QUEUE,
  type NaiveConfig,
  type NaiveDeliveryJob,
} from './naive.queue';
import { benchData } from './payload.util';

const config = childConfig<NaiveConfig>();

@Injectable()
class NaiveWebhooks {
  constructor(@InjectQueue(NAIVE_QUEUE) private readonly queue: Queue<NaiveDeliveryJob>) {}

  async emit(list: LoadList, data: Record<string, unknown>): Promise<void> {
    if (!list.url || !list.secret) throw new Error(`list ${list.listId} has no target`);
    await this.queue.add(
      NAIVE_DELIVER_JOB,
      { id: uuidv7(), url: list.url, secret: list.secret, listId: list.listId, data },
      { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true },
    );
  }
}

@Module({
  imports: [
    BullModule.forRoot({ url: config.redisUrl, prefix: config.bullPrefix }),
    BullModule.registerQueue({ name: NAIVE_QUEUE }),
  ],
  providers: [NaiveWebhooks],
})
class NaiveProducerModule {}

void serveBaselineProducer(NaiveProducerModule, (app) => {
  const webhooks = app.get(NaiveWebhooks);
  return (list, seq, emittedAtMs) => webhooks.emit(list, benchData(seq, emittedAtMs));
});
