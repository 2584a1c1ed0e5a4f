import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  AttemptStore,
  DeliveryStore,
  EndpointHealthStore,
  OutboxStore,
  SubscriptionStore,
  WebhookDelivery,
  WebhookEvent,
  type AttemptRecord,
  type NewSubscription,
} from './internals';
import type { TestDatabase } from './services';
import { createWebhooksApp, type WebhooksTestApp } from './webhooks-app';

/** The stores of one app, with a fresh tenant per test and builders of rows in it. */
export interface StoreContract {
  readonly hooks: WebhooksTestApp;
  readonly outbox: OutboxStore;
  readonly deliveries: DeliveryStore;
  readonly attempts: AttemptStore;
  readonly subscriptions: SubscriptionStore;
  readonly health: EndpointHealthStore;
  /** `outbox.write`, the ids of each event's deliveries only. */
  writeIds(events: readonly WebhookEvent[], manager?: EntityManager): Promise<string[][]>;
  /** This test's tenant: no other test sees its rows. */
  readonly tenant: string;
  /** A whole second `offsetSeconds` from this test's start (MySQL's DATETIME keeps no fraction). */
  at(offsetSeconds: number): Date;
  subscription(overrides?: Partial<NewSubscription>): Promise<NewSubscription>;
  event(overrides?: Partial<WebhookEvent>): WebhookEvent;
  record(deliveryId: string, attempt: number, overrides?: Partial<AttemptRecord>): AttemptRecord;
  deliveryRow(id: string): Promise<WebhookDelivery>;
}

/**
 * Registers, in the calling `describe`, the set-up of a storage contract suite on `database`: an app
 * without a worker, its stores, a tenant per test. The suites run against the real databases.
 */
export function useStoreContract(database: TestDatabase): StoreContract {
  let hooks: WebhooksTestApp;
  let tenant = '';
  let base = 0;

  beforeAll(async () => {
    hooks = await createWebhooksApp({ database, options: { worker: false } });
  });
  afterAll(() => hooks.close());
  beforeEach(() => {
    tenant = `tenant-${uuidv7()}`;
    base = Math.floor(Date.now() / 1000) * 1000;
  });

  const get = <T>(token: abstract new (...args: never[]) => T) =>
    hooks.app.get<T>(token, { strict: false });
  const at = (offsetSeconds: number) => new Date(base + offsetSeconds * 1000);

  return {
    get hooks() {
      return hooks;
    },
    get outbox() {
      return get(OutboxStore);
    },
    get deliveries() {
      return get(DeliveryStore);
    },
    get attempts() {
      return get(AttemptStore);
    },
    get subscriptions() {
      return get(SubscriptionStore);
    },
    get health() {
      return get(EndpointHealthStore);
    },
    async writeIds(events, manager) {
      const written = await get(OutboxStore).write(events, manager);
      return written.map((deliveries) => deliveries.map((delivery) => delivery.id));
    },
    get tenant() {
      return tenant;
    },
    at,
    async subscription(overrides = {}) {
      const inserted = await get(SubscriptionStore).insertWithin(
        {
          id: uuidv7(),
          tenantId: tenant,
          listId: 'list-1',
          url: 'https://receiver.example/hook',
          name: null,
          description: null,
          events: ['contact.subscribed', 'contact.updated'],
          sources: ['api', 'admin'],
          secret: 'whsec_current',
          previousSecret: null,
          previousSecretExpiresAt: null,
          payloadFormat: 'json',
          headers: { authorization: 'Bearer receiver-token' },
          template: null,
          filter: null,
          rateLimit: null,
          status: 'active',
          verificationChallenge: null,
          disabledReason: null,
          disabledAt: null,
          consecutiveFailures: 0,
          failingSince: null,
          lastSuccessAt: null,
          lastTestSucceededAt: null,
          lastProbedAt: null,
          ...overrides,
        },
        1_000,
      );
      if (!inserted) throw new Error('the scope is full');
      return inserted;
    },
    event(overrides = {}) {
      return Object.assign(new WebhookEvent(), {
        id: uuidv7(),
        tenantId: tenant,
        listId: 'list-1',
        type: 'contact.subscribed',
        source: 'api',
        data: { contact: { email: 'ada@example.com', name: 'Ada Lövelace ✓' }, tags: ['a', 'b'] },
        occurredAt: at(0),
        ...overrides,
      });
    },
    record(deliveryId, attempt, overrides = {}) {
      return {
        deliveryId,
        attempt,
        trigger: 'scheduled',
        outcome: {
          statusCode: 500,
          durationMs: 12,
          errorKind: 'http_status',
          errorMessage: 'server error',
          responseExcerpt: 'oops',
        },
        status: 'failed',
        attemptedAt: at(0),
        nextAttemptAt: at(60),
        ...overrides,
      } satisfies AttemptRecord;
    },
    deliveryRow(id) {
      return hooks.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ id });
    },
  };
}
