import { Injectable } from '@nestjs/common';
import { WEBHOOK_VERIFICATION_EVENT } from '../catalogue/event-catalogue';
import { SubscriptionStore } from '../storage/subscription.store';
import { SubscriptionStateService } from './subscription-state.service';
import { DeliveryAttempter, type AttemptReport } from './delivery-attempter';
import type { SendOutcome } from './http-sender';

/** Whether the receiver echoed the challenge: as `{"challenge": "…"}` or as the plain body. */
export function echoesChallenge(outcome: SendOutcome, challenge: string): boolean {
  const body = (outcome.responseExcerpt ?? '').trim();
  if (body === challenge) return true;
  try {
    return (JSON.parse(body) as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

/**
 * Ownership handshake: a subscription in `pending_verification` becomes active only when its endpoint
 * answers a signed `webhook.verification` event by echoing the challenge.
 */
@Injectable()
export class EndpointVerifier {
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
  ) {}

  async verify(subscriptionId: string): Promise<AttemptReport | null> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    const challenge = subscription?.verificationChallenge;
    if (!subscription || subscription.status !== 'pending_verification' || !challenge) return null;
    const report = await this.attempter.sendNow(subscription, {
      type: WEBHOOK_VERIFICATION_EVENT,
      source: 'system',
      data: { challenge, subscriptionId: subscription.id },
      trigger: 'verification',
      acceptResponse: (outcome) => echoesChallenge(outcome, challenge),
    });
    if (report.decision.status === 'succeeded') {
      await this.state.enable(subscription, 'verification', 'pending_verification');
    }
    return report;
  }
}
