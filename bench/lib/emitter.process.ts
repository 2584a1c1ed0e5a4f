/**
 * The host's API side, in its own process (worker: false unless its config says it `delivers`):
 * emits events with `WebhooksService.emit` as a host would, without a transaction of its own (emit
 * then opens one per event). Driven by the bench: saturate, open loop, or one fan-out event.
 */
import 'reflect-metadata';
import {
  WebhooksModule,
  WebhooksService,
  type EmitOptions,
  type WebhooksModuleOptions,
} from '../../src';
import { createWebhooksHostContext } from '../../test/support/webhooks-host';
import type { EmitterApi } from './child.apis';
import { wallClockMs } from './histogram.util';
import { childConfig, exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { hopSpansApi, registerHopTracing } from './hop-spans.recorder';
import { LoadDriver } from './load.driver';
import { benchEvent, databaseOptions, type DatabaseChildConfig } from './module-host';

export interface EmitterConfig extends DatabaseChildConfig {
  redisUrl: string;
  bullPrefix: string;
  options: WebhooksModuleOptions;
  /**
   * How many distinct ordering keys its events get (S1-ordered): event `seq` is emitted with
   * `orderingKey: contact-${seq % orderingKeys}`, as a host keys a contact's events by its id.
   * Absent: no key (every other scenario).
   */
  orderingKeys?: number;
  /**
   * Whether it is a worker as well (S1-local): it then runs the first attempts of its own emits
   * itself, the module's default `delivery.localFirstAttempts`, and takes Bull jobs like any worker.
   * Absent: API only (every other scenario).
   */
  delivers?: boolean;
  /** Trace with an OpenTelemetry SDK keeping what H joins (see hop-spans.recorder.ts). */
  hopTracing?: boolean;
}

const config = childConfig<EmitterConfig>();

/** Event `seq`'s emit options: its ordering key if the config asks for keys, else none. */
function emitOptions(seq: number): EmitOptions | undefined {
  const keys = config.orderingKeys;
  return keys === undefined ? undefined : { orderingKey: `contact-${seq % keys}` };
}

async function main(): Promise<void> {
  const hopSpans = config.hopTracing ? registerHopTracing() : undefined;
  const app = await createWebhooksHostContext({
    typeorm: databaseOptions(config, 'bench-emitter'),
    redisUrl: config.redisUrl,
    bullPrefix: config.bullPrefix,
    webhooks: WebhooksModule.forRoot({ ...config.options, worker: config.delivers === true }),
  });
  const webhooks = app.get(WebhooksService);
  const driver = new LoadDriver(async (list, seq, emittedAtMs) => {
    await webhooks.emit(benchEvent(list.listId, seq, emittedAtMs), emitOptions(seq));
  });
  const api: EmitterApi = {
    saturate: (params) => driver.saturate(params),
    openLoop: (params) => driver.openLoop(params),
    received: ({ count }) => driver.onReceived(count),
    ...hopSpansApi(hopSpans),
    async fanOut({ listId, seq }) {
      const started = performance.now();
      const result = await webhooks.emit(benchEvent(listId, seq, wallClockMs()), emitOptions(seq));
      return { emitMs: performance.now() - started, deliveries: result.deliveryIds.length };
    },
    async shutdown() {
      await app.close();
      exitSoon();
    },
  };
  serveRpc(api);
  signalReady();
}

void main();
