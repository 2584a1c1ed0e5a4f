import { Inject, Injectable } from '@nestjs/common';
import { WEBHOOK_TEST_EVENT } from '../catalogue/event-catalogue';
import type { WebhookSubscription } from '../storage/entities/subscription.entity';
import { SubscriptionStore } from '../storage/subscription.store';
import { SubscriptionStateService } from './subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryAttempter } from './delivery-attempter';

/** Endpoints probed per run, oldest-disabled first, a few at a time, so one run stays short. */
const PROBES_PER_RUN = 50;
const PROBES_AT_ONCE = 5;

/** Self-healing: pings disabled endpoints on a slow schedule and re-enables those that answer 2xx. */
@Injectable()
export class DisabledEndpointProber {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly subscriptions: SubscriptionStore,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
  ) {}

  async probeDisabled(now = new Date()): Promise<{ probed: number; reenabled: number }> {
    const cutoff = new Date(now.getTime() - this.options.probeDisabledEveryMs);
    // Endpoints probed within the interval wait their turn, so a few dead ones cannot starve the rest.
    const due = await this.subscriptions.findDueForProbe(cutoff, PROBES_PER_RUN);
    let reenabled = 0;
    for (let start = 0; start < due.length; start += PROBES_AT_ONCE) {
      const results = await Promise.all(
        due
          .slice(start, start + PROBES_AT_ONCE)
          .map((subscription) => this.probe(subscription, now)),
      );
      reenabled += results.filter(Boolean).length;
    }
    return { probed: due.length, reenabled };
  }

  private async probe(subscription: WebhookSubscription, now: Date): Promise<boolean> {
    await this.subscriptions.markProbed(subscription.id, now);
    const report = await this.attempter.sendNow(subscription, {
      type: WEBHOOK_TEST_EVENT,
      source: 'system',
      data: { probe: true, subscriptionId: subscription.id },
      trigger: 'probe',
    });
    return (
      report.decision.status === 'succeeded' && this.state.enable(subscription, 'probe', 'disabled')
    );
  }
}
