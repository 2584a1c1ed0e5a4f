import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LessThanOrEqual, type DataSource } from 'typeorm';
import { WEBHOOK_TEST_EVENT } from '../events/event-catalogue';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { SubscriptionStateService } from '../subscriptions/subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryAttempter } from './delivery-attempter';

/** Endpoints probed per run, oldest-disabled first, so one run stays short. */
const PROBES_PER_RUN = 50;

/** Self-healing: pings disabled endpoints on a slow schedule and re-enables those that answer 2xx. */
@Injectable()
export class DisabledEndpointProber {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
  ) {}

  async probeDisabled(now = new Date()): Promise<{ probed: number; reenabled: number }> {
    const due = await this.dataSource.getRepository(WebhookSubscription).find({
      where: {
        status: 'disabled',
        disabledAt: LessThanOrEqual(new Date(now.getTime() - this.options.probeDisabledEveryMs)),
      },
      order: { disabledAt: 'ASC' },
      take: PROBES_PER_RUN,
    });
    let reenabled = 0;
    for (const subscription of due) {
      const report = await this.attempter.sendNow(subscription, {
        type: WEBHOOK_TEST_EVENT,
        source: 'system',
        data: { probe: true, subscriptionId: subscription.id },
        trigger: 'probe',
      });
      if (report.decision.status === 'succeeded') {
        await this.state.enable(subscription, 'probe');
        reenabled++;
      }
    }
    return { probed: due.length, reenabled };
  }
}
