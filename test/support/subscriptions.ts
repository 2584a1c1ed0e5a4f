import request from 'supertest';
import type { App } from 'supertest/types';
import type { ContentFilter, WebhookSubscriptionView } from 'nestjs-marketing-webhooks';
import type { WebhooksTestApp } from './webhooks-app';

export type CreatedSubscription = WebhookSubscriptionView & { secret: string };

export async function createSubscription(
  hooks: WebhooksTestApp,
  listId: string,
  body: {
    url: string;
    events: string[];
    sources?: string[];
    name?: string;
    headers?: Record<string, string>;
    filter?: ContentFilter;
    rateLimit?: number;
  },
  headers: Record<string, string> = {},
): Promise<CreatedSubscription> {
  const response = await request(hooks.app.getHttpServer() as App)
    .post(`/lists/${listId}/webhooks`)
    .set(headers)
    .send(body)
    .expect(201);
  return response.body as CreatedSubscription;
}

export interface DeliveryPage {
  data: Array<{
    id: string;
    status: string;
    attemptCount: number;
    attempts: Array<{
      attemptNumber: number;
      trigger: string;
      statusCode: number | null;
      errorKind: string | null;
      responseExcerpt: string | null;
    }>;
  }>;
  nextCursor: string | null;
}

export async function listDeliveries(
  hooks: WebhooksTestApp,
  listId: string,
  subscriptionId: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<DeliveryPage> {
  const response = await request(hooks.app.getHttpServer() as App)
    .get(`/lists/${listId}/webhooks/${subscriptionId}/deliveries`)
    .set(headers)
    .query(query)
    .expect(200);
  return response.body as DeliveryPage;
}

/** Polls the admin API until the newest delivery reaches `status`. */
export async function waitForDelivery(
  hooks: WebhooksTestApp,
  listId: string,
  subscriptionId: string,
  status: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<DeliveryPage['data'][number]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [delivery] = (await listDeliveries(hooks, listId, subscriptionId, {}, headers)).data;
    if (delivery?.status === status) return delivery;
    if (Date.now() > deadline)
      throw new Error(`delivery never reached ${status}: ${JSON.stringify(delivery)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
