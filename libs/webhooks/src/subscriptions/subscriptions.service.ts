import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, LessThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { WebhookAttempt } from '../delivery/attempt.entity';
import { WebhookDelivery } from '../delivery/delivery.entity';
import { EventCatalogue, WEBHOOK_EVENT_SOURCES } from '../events/event-catalogue';
import { generateWebhookSecret } from '../security/secrets';
import { checkWebhookUrl } from '../security/url-policy';
import { SubscriptionNotFoundError, WebhookUrlNotAllowedError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import type { CreateSubscriptionDto } from './dto/create-subscription.dto';
import {
  DEFAULT_PAGE_SIZE,
  type DeliveriesQueryDto,
  type PaginationQueryDto,
} from './dto/pagination-query.dto';
import type { UpdateSubscriptionDto } from './dto/update-subscription.dto';
import { WebhookSubscription } from './subscription.entity';
import { toDeliveryView, type Page, type WebhookDeliveryView } from './subscription.views';

/** Where a subscription lives: every read and write is scoped by both. */
export interface SubscriptionScope {
  tenantId: string;
  listId: string;
}

@Injectable()
export class WebhookSubscriptionsService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalogue: EventCatalogue,
  ) {}

  private get subscriptions() {
    return this.dataSource.getRepository(WebhookSubscription);
  }

  async create(
    scope: SubscriptionScope,
    input: CreateSubscriptionDto,
  ): Promise<WebhookSubscription> {
    this.assertAcceptable(input);
    const subscription = this.subscriptions.create({
      id: uuidv7(),
      tenantId: scope.tenantId,
      listId: scope.listId,
      url: input.url,
      name: input.name ?? null,
      description: input.description ?? null,
      events: input.events,
      sources: input.sources ?? [...WEBHOOK_EVENT_SOURCES],
      secret: generateWebhookSecret(),
      status: 'active',
      disabledReason: null,
    });
    return this.subscriptions.save(subscription);
  }

  async list(
    scope: SubscriptionScope,
    query: PaginationQueryDto,
  ): Promise<Page<WebhookSubscription>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const where: FindOptionsWhere<WebhookSubscription> = { ...scope };
    if (query.cursor) where.id = LessThan(decodeCursor(query.cursor));
    const rows = await this.subscriptions.find({ where, order: { id: 'DESC' }, take: limit + 1 });
    return toPage(rows, limit);
  }

  async get(scope: SubscriptionScope, id: string): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findOneBy({ ...scope, id });
    if (!subscription) throw new SubscriptionNotFoundError(id);
    return subscription;
  }

  async update(
    scope: SubscriptionScope,
    id: string,
    input: UpdateSubscriptionDto,
  ): Promise<WebhookSubscription> {
    const subscription = await this.get(scope, id);
    this.assertAcceptable(input);
    const { url, events, sources, name, description, status } = input;
    Object.assign(subscription, {
      ...(url !== undefined && { url }),
      ...(events !== undefined && { events }),
      ...(sources !== undefined && { sources }),
      ...(name !== undefined && { name }),
      ...(description !== undefined && { description }),
      ...(status !== undefined && { status, disabledReason: null }),
    });
    return this.subscriptions.save(subscription);
  }

  /** Removes the subscription with its delivery history. */
  async remove(scope: SubscriptionScope, id: string): Promise<void> {
    await this.get(scope, id);
    await this.dataSource.transaction(async (manager) => {
      const deliveries = manager
        .createQueryBuilder(WebhookDelivery, 'delivery')
        .select('delivery.id')
        .where('delivery.subscriptionId = :id');
      await manager
        .createQueryBuilder()
        .delete()
        .from(WebhookAttempt)
        .where(`deliveryId IN (${deliveries.getQuery()})`, { id })
        .execute();
      await manager.delete(WebhookDelivery, { subscriptionId: id });
      await manager.delete(WebhookSubscription, { id, ...scope });
    });
  }

  async listDeliveries(
    scope: SubscriptionScope,
    subscriptionId: string,
    query: DeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryView>> {
    await this.get(scope, subscriptionId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const where: FindOptionsWhere<WebhookDelivery> = { subscriptionId, tenantId: scope.tenantId };
    if (query.status) where.status = query.status;
    if (query.cursor) where.id = LessThan(decodeCursor(query.cursor));
    const deliveries = await this.dataSource
      .getRepository(WebhookDelivery)
      .find({ where, order: { id: 'DESC' }, take: limit + 1 });
    const page = toPage(deliveries, limit);
    const attempts = page.data.length
      ? await this.dataSource.getRepository(WebhookAttempt).find({
          where: { deliveryId: In(page.data.map((delivery) => delivery.id)) },
          order: { attemptNumber: 'ASC' },
        })
      : [];
    return {
      nextCursor: page.nextCursor,
      data: page.data.map((delivery) =>
        toDeliveryView(
          delivery,
          attempts.filter((attempt) => attempt.deliveryId === delivery.id),
        ),
      ),
    };
  }

  private assertAcceptable(input: { url?: string; events?: string[] }): void {
    if (input.url !== undefined) {
      const check = checkWebhookUrl(input.url, this.options);
      if (!check.allowed) throw new WebhookUrlNotAllowedError(check.reason);
    }
    input.events?.forEach((type) => this.catalogue.assertEventType(type, 'events'));
  }
}

function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, nextCursor: hasMore ? encodeCursor(data[data.length - 1].id) : null };
}
