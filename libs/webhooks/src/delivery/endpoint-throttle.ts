import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { WEBHOOKS_QUEUE } from '../webhooks.constants';

/**
 * Reserves the next free send time of an endpoint limited to `perSecond` deliveries, spaced
 * `1000 / perSecond` ms apart (generic cell rate algorithm, no burst), and answers how long to wait
 * for it. One Redis call, on the server's clock, so every worker process shares the limit.
 */
const RESERVE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free < nowMs then free = nowMs end
redis.call('SET', KEYS[1], tostring(free + interval), 'PX', math.ceil(free - nowMs + interval + 1000))
return free - nowMs`;

/**
 * Per-endpoint rate limits (a subscription's `rateLimit`): each attempt reserves its slot, and one
 * over the limit waits for it rather than failing. Not rate-limiter-flexible or bottleneck: those
 * refuse a request and let it try again (a backlog of thousands would all retry at the same moment)
 * or hold it in the process; a reservation gives each attempt its own time, which the queue keeps.
 */
@Injectable()
export class EndpointThrottle {
  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue) {}

  /** Milliseconds until this attempt's slot (0: send now). */
  async reserve(subscriptionId: string, perSecond: number): Promise<number> {
    const interval = Math.max(1, Math.round(1000 / perSecond));
    const waitMs = (await this.queue.client.eval(
      RESERVE,
      1,
      this.queue.toKey(`throttle:${subscriptionId}`),
      interval,
    )) as number;
    return Number(waitMs);
  }
}
