import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ALL_LISTS,
  BUILT_IN_EVENT_TYPES,
  type CreateSubscriptionDto,
  DEFAULT_TENANT_ID,
  type SubscriptionScope,
  type InboundScope,
  WEBHOOK_TEST_EVENT,
  WebhookInboundService,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { DEMO_EVENT_TYPES, INTEGRATIONS, type Integration } from '../integrations/integrations';
import { ListsService } from '../lists/lists.service';
import { INBOX_CHANNELS, type InboxChannel } from './inbox-channels';

export const SEED_LIST_NAME = 'Newsletter';
export const SEED_SUBSCRIPTION_NAME = 'Demo inbox';

type Seeded = 'created' | 'moved' | 'kept';

/**
 * A list to play with, a webhook subscription that delivers every event of it to the demo's inbox,
 * and one per inbox channel (Slack messages, XML, every list, filtered), each to its own path of the
 * inbox.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');
  private seededListId: number | null = null;

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly lists: ListsService,
    private readonly subscriptions: WebhookSubscriptionsService,
    private readonly inbound: WebhookInboundService,
  ) {}

  get listId(): number {
    if (this.seededListId === null) throw new Error('the seed has not run yet');
    return this.seededListId;
  }

  /** Where the channel's subscription is: on the seeded list, or on every list. */
  scopeOf(channel: InboxChannel | null): SubscriptionScope {
    const listId = channel?.allLists ? ALL_LISTS : String(this.listId);
    return { tenantId: DEFAULT_TENANT_ID, listId };
  }

  async onApplicationBootstrap(): Promise<void> {
    const list =
      (await this.lists.findByName(SEED_LIST_NAME)) ??
      (await this.lists.create({ name: SEED_LIST_NAME }));
    this.seededListId = list.id;

    const events = [...BUILT_IN_EVENT_TYPES, ...DEMO_EVENT_TYPES]
      .map(({ type }) => type)
      .filter((type) => type !== WEBHOOK_TEST_EVENT);
    const inbox = await this.ensure(this.scopeOf(null), {
      url: this.config.inboxUrl,
      events,
      name: SEED_SUBSCRIPTION_NAME,
    });
    if (inbox === 'kept') {
      this.logger.log(`List "${list.name}" is ${list.id}`);
    } else {
      const deliver = inbox === 'created' ? 'deliver' : 'now deliver';
      this.logger.log(
        `List "${list.name}" is ${list.id}; its webhooks ${deliver} to ${this.config.inboxUrl}`,
      );
    }

    for (const channel of INBOX_CHANNELS) {
      const url = `${this.config.inboxUrl}/${channel.path}`;
      const seeded = await this.ensure(this.scopeOf(channel), {
        url,
        events: [...channel.events],
        name: channel.name,
        description: channel.description,
        ...(channel.payloadFormat !== undefined && { payloadFormat: channel.payloadFormat }),
        ...(channel.template !== undefined && { template: channel.template }),
        ...(channel.filter !== undefined && { filter: channel.filter }),
      });
      if (seeded !== 'kept') this.logger.log(`"${channel.name}" delivers to ${url}`);
    }

    for (const integration of INTEGRATIONS) {
      const seeded = await this.ensureInbound(integration);
      if (seeded !== 'kept') {
        this.logger.log(
          `"${integration.name}" ${seeded === 'created' ? 'receives' : 'has a new secret'}`,
        );
      }
    }
  }

  /**
   * Creates the inbound endpoint named so on the seeded list unless it has it, with the provider's
   * secret of the configuration (DEMO_STRIPE_SECRET…); one that exists keeps its receiving path, and
   * takes the configured secret if it changed.
   */
  private async ensureInbound(integration: Integration): Promise<'created' | 'updated' | 'kept'> {
    const scope: InboundScope = { tenantId: DEFAULT_TENANT_ID };
    const listId = String(this.listId);
    const secret = this.config.inboundSecrets[integration.provider];
    const page = await this.inbound.list(scope, { listId, limit: 100 });
    const existing = page.data.find((endpoint) => endpoint.name === integration.name);
    if (!existing) {
      await this.inbound.create(scope, {
        scheme: integration.provider,
        listId,
        name: integration.name,
        secret,
      });
      return 'created';
    }
    if ((await this.inbound.secret(scope, existing.id)).secret === secret) return 'kept';
    await this.inbound.update(scope, existing.id, { secret });
    return 'updated';
  }

  /**
   * Creates the subscription named so unless the scope has it. One that exists keeps what was changed
   * since (events, template…) but follows the inbox when the demo restarts on another PORT, rather
   * than deliver to a dead address.
   */
  private async ensure(scope: SubscriptionScope, input: CreateSubscriptionDto): Promise<Seeded> {
    const page = await this.subscriptions.list(scope, { limit: 100 });
    const existing = page.data.find((subscription) => subscription.name === input.name);
    if (!existing) {
      await this.subscriptions.create(scope, input);
      return 'created';
    }
    if (existing.url === input.url) return 'kept';
    await this.subscriptions.update(scope, existing.id, { url: input.url });
    return 'moved';
  }
}
