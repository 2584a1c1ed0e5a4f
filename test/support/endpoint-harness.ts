import type { App } from 'supertest/types';
import type { WebhooksModuleOptions } from 'nestjs-marketing-webhooks';
import { WebhookSubscription } from './internals';
import { LifecycleRecorder, lifecycleRecording } from './lifecycle-recorder';
import { TestReceiver } from './receiver';
import type { TestDatabase } from './services';
import { createWebhooksApp, type WebhooksTestApp } from './webhooks-app';

/** What the endpoint specs share: an app recording lifecycle events, its HTTP server, a receiver. */
export interface EndpointHarness {
  hooks: WebhooksTestApp;
  http: App;
  receiver: TestReceiver;
  recorder: LifecycleRecorder;
  status(id: string): Promise<WebhookSubscription>;
}

/** Starts the harness before the enclosing describe's tests and closes it after them. */
export function endpointHarness(
  database: TestDatabase,
  options: WebhooksModuleOptions,
): () => EndpointHarness {
  const state = {} as EndpointHarness;
  beforeAll(async () => {
    state.receiver = await TestReceiver.start();
    state.hooks = await createWebhooksApp({ database, options, ...lifecycleRecording });
    state.http = state.hooks.app.getHttpServer() as App;
    state.recorder = state.hooks.app.get(LifecycleRecorder);
    state.status = (id) =>
      state.hooks.dataSource.getRepository(WebhookSubscription).findOneByOrFail({ id });
  });
  afterAll(async () => {
    await state.hooks.close();
    await state.receiver.close();
  });
  return () => state;
}

/** Emits event `n` of type contact.updated to `listId`. */
export const emitContactUpdate = (hooks: WebhooksTestApp, listId: string, n = 0) =>
  hooks.webhooks.emit({ listId, type: 'contact.updated', source: 'system', data: { n } });
