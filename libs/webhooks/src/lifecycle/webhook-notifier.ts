import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  WEBHOOK_LIFECYCLE_EVENTS,
  type WebhookLifecycleEventMap,
} from './webhook-lifecycle.events';

interface EventEmitterLike {
  emit(event: string, payload: unknown): boolean;
}

type EventEmitterPackage = { EventEmitter2: abstract new (...args: never[]) => EventEmitterLike };

/** `@nestjs/event-emitter` is an optional peer: hosts without it still get the log lines. */
function loadEventEmitterPackage(): EventEmitterPackage | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@nestjs/event-emitter') as EventEmitterPackage;
  } catch {
    return undefined;
  }
}

/** Tells the host about every state change: a log line, and an event on its EventEmitter2 if it has one. */
@Injectable()
export class WebhookNotifier implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private emitter: EventEmitterLike | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    const eventEmitterPackage = loadEventEmitterPackage();
    if (!eventEmitterPackage) return;
    try {
      this.emitter = this.moduleRef.get(eventEmitterPackage.EventEmitter2, { strict: false });
    } catch {
      this.emitter = undefined;
    }
  }

  notify<K extends keyof WebhookLifecycleEventMap>(
    name: K,
    payload: WebhookLifecycleEventMap[K],
  ): void {
    this.log(name, payload);
    try {
      this.emitter?.emit(name, payload);
    } catch (error) {
      this.logger.error(`A listener of ${name} threw: ${String(error)}`);
    }
  }

  private log<K extends keyof WebhookLifecycleEventMap>(
    name: K,
    payload: WebhookLifecycleEventMap[K],
  ): void {
    if (!('subscriptionId' in payload)) return this.logInbound(name, payload);
    const subject = `subscription ${payload.subscriptionId} (list ${payload.listId}, tenant ${payload.tenantId})`;
    if (name === WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled) {
      const { reason } =
        payload as WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled];
      this.logger.warn(`Disabled ${subject}: ${reason}`);
    } else if (name === WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled) {
      const { via } =
        payload as WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled];
      this.logger.log(`Enabled ${subject} (via ${via})`);
    } else {
      const { deliveryId, attempts } =
        payload as WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted];
      this.logger.warn(`Delivery ${deliveryId} to ${subject} exhausted after ${attempts} attempts`);
    }
  }

  /** Inbound traffic is logged at debug level, but for events that failed for good. */
  private logInbound(name: string, payload: object): void {
    if (name !== WEBHOOK_LIFECYCLE_EVENTS.inboundFailed) {
      this.logger.debug(`${name} ${JSON.stringify(payload)}`);
      return;
    }
    const { eventId, endpointId, tenantId, attempts, error } =
      payload as WebhookLifecycleEventMap[typeof WEBHOOK_LIFECYCLE_EVENTS.inboundFailed];
    this.logger.warn(
      `Inbound event ${eventId} of endpoint ${endpointId} (tenant ${tenantId}) failed after ${attempts} attempts: ${error}`,
    );
  }
}
