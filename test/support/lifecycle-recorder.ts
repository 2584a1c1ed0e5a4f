import { Injectable } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { WEBHOOK_LIFECYCLE_EVENTS, type WebhookLifecycleEventMap } from 'nestjs-marketing-webhooks';
import { eventually } from './eventually';

type Recorded = {
  [K in keyof WebhookLifecycleEventMap]: { name: K; payload: WebhookLifecycleEventMap[K] };
}[keyof WebhookLifecycleEventMap];

/** A host listener, written the way a Nest user would, that keeps every lifecycle event it hears. */
@Injectable()
export class LifecycleRecorder {
  readonly events: Recorded[] = [];

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled)
  disabled(
    payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled],
  ) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled)
  enabled(payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled]) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted)
  exhausted(payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted]) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.inboundRejected)
  inboundRejected(
    payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.inboundRejected],
  ) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.inboundRejected, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.inboundReceived)
  inboundReceived(
    payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.inboundReceived],
  ) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.inboundReceived, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed)
  inboundProcessed(
    payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed],
  ) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed, payload });
  }

  @OnEvent(WEBHOOK_LIFECYCLE_EVENTS.inboundFailed)
  inboundFailed(payload: WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.inboundFailed]) {
    this.events.push({ name: WEBHOOK_LIFECYCLE_EVENTS.inboundFailed, payload });
  }

  named<K extends keyof WebhookLifecycleEventMap>(name: K): Array<WebhookLifecycleEventMap[K]> {
    return this.events
      .filter((event) => event.name === name)
      .map((event) => event.payload as WebhookLifecycleEventMap[K]);
  }

  /**
   * The first event of `name` that `matches`, once one is heard: the library tells after what it tells
   * of is written, so a test that saw the write may still be ahead of the event.
   */
  waitFor<K extends keyof WebhookLifecycleEventMap>(
    name: K,
    matches: (payload: WebhookLifecycleEventMap[K]) => boolean,
  ): Promise<WebhookLifecycleEventMap[K]> {
    return eventually(() => this.named(name).find(matches), { what: `a matching ${name} event` });
  }
}

export const lifecycleRecording = {
  imports: [EventEmitterModule.forRoot()],
  providers: [LifecycleRecorder],
};
