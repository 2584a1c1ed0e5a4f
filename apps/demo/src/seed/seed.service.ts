import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  BUILT_IN_EVENT_TYPES,
  DEFAULT_TENANT_ID,
  WEBHOOK_TEST_EVENT,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { ListsService } from '../lists/lists.service';

export const SEED_LIST_NAME = 'Newsletter';
export const SEED_SUBSCRIPTION_NAME = 'Demo inbox';

/** A list to play with and a webhook subscription that delivers every event to the demo's inbox. */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');
  private seededListId: number | null = null;

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly lists: ListsService,
    private readonly subscriptions: WebhookSubscriptionsService,
  ) {}

  get listId(): number {
    if (this.seededListId === null) throw new Error('the seed has not run yet');
    return this.seededListId;
  }

  async onApplicationBootstrap(): Promise<void> {
    const list =
      (await this.lists.findByName(SEED_LIST_NAME)) ??
      (await this.lists.create({ name: SEED_LIST_NAME }));
    this.seededListId = list.id;

    const scope = { tenantId: DEFAULT_TENANT_ID, listId: String(list.id) };
    const page = await this.subscriptions.list(scope, { limit: 100 });
    const existing = page.data.find((subscription) => subscription.name === SEED_SUBSCRIPTION_NAME);
    if (!existing) {
      const events = BUILT_IN_EVENT_TYPES.map(({ type }) => type).filter(
        (type) => type !== WEBHOOK_TEST_EVENT,
      );
      await this.subscriptions.create(scope, {
        url: this.config.inboxUrl,
        events,
        name: SEED_SUBSCRIPTION_NAME,
      });
      this.logger.log(
        `List "${list.name}" is ${list.id}; its webhooks deliver to ${this.config.inboxUrl}`,
      );
    } else if (existing.url !== this.config.inboxUrl) {
      // Restarted on another PORT: follow the inbox rather than deliver to a dead address.
      await this.subscriptions.update(scope, existing.id, { url: this.config.inboxUrl });
      this.logger.log(
        `List "${list.name}" is ${list.id}; its webhooks now deliver to ${this.config.inboxUrl}`,
      );
    } else {
      this.logger.log(`List "${list.name}" is ${list.id}`);
    }
  }
}
