import { Injectable } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  OnInboundWebhook,
  WebhookInboundService,
  type CreateInboundEndpointDto,
  type InboundEndpointView,
  type InboundWebhookEvent,
} from 'nestjs-marketing-webhooks';
import { WebhookInboundEvent } from './internals';
import { Wakeups } from './eventually';
import type { WebhooksTestApp } from './webhooks-app';

/** A host's catch-all handler that records what it is given, and can be told to fail. */
@Injectable()
export class RecordingInboundHandler {
  readonly seen: InboundWebhookEvent[] = [];
  /** Throws while it returns true for the event. */
  failWhen: (event: InboundWebhookEvent) => boolean = () => false;
  private readonly wakeups = new Wakeups();

  @OnInboundWebhook()
  handle(event: InboundWebhookEvent): void {
    this.seen.push(event);
    this.wakeups.wake();
    if (this.failWhen(event)) throw new Error(`refused attempt ${event.attempt}`);
  }

  /** Resolves once `count` calls were made; rejects after `timeoutMs`. */
  async waitForCalls(count: number, timeoutMs = 15_000): Promise<InboundWebhookEvent[]> {
    if (!(await this.wakeups.until(() => this.seen.length >= count, timeoutMs, 100))) {
      throw new Error(`expected ${count} handler calls, got ${this.seen.length}`);
    }
    return this.seen;
  }
}

export function createEndpoint(
  hooks: WebhooksTestApp,
  tenantId: string,
  input: CreateInboundEndpointDto,
): Promise<InboundEndpointView & { secret: string }> {
  return hooks.app.get(WebhookInboundService).create({ tenantId }, input) as Promise<
    InboundEndpointView & { secret: string }
  >;
}

/** POSTs `body` as it is (a string is sent byte for byte) to a receiving path. */
export function postInbound(
  http: App,
  path: string,
  body: string,
  headers: Record<string, string>,
): request.Test {
  return request(http)
    .post(path)
    .set({ 'content-type': 'application/json', ...headers })
    .send(body);
}

export function storedEvents(hooks: WebhooksTestApp, endpointId: string) {
  return hooks.dataSource.getRepository(WebhookInboundEvent).find({
    where: { endpointId },
    order: { id: 'ASC' },
  });
}
