import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { DeliveryQueue } from '../delivery/delivery.queue';
import { EventCatalogue, WEBHOOK_EVENT_SOURCES } from '../catalogue/event-catalogue';
import { generateWebhookSecret } from '../security/secrets';
import { TemplateRenderError, TemplateRenderer } from '../templates/template-renderer';
import { renderWebhookBody, templateEnvelope, type RenderedBody } from '../delivery/webhook-body';
import { PreviewDto } from './dto/preview.dto';
import type { WebhookTemplate } from '../templates/webhook-template';
import { compileContentFilter } from '../filters/content-filter.matcher';
import { UrlGuard } from '../security/url-guard';
import {
  InvalidSubscriptionError,
  ListNotFoundError,
  SubscriptionNotFoundError,
  SubscriptionStateConflictError,
  WebhookLimitError,
} from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { ALL_LISTS } from '../webhooks.constants';
import { CreateSubscriptionDto } from './dto/create-subscription.dto';
import {
  DEFAULT_PAGE_SIZE,
  type DeliveriesQuery,
  type PageQuery,
} from './dto/pagination-query.dto';
import { UpdateSubscriptionDto } from './dto/update-subscription.dto';
import { validateInput } from './dto/validate-input';
import { SubscriptionStateService } from '../delivery/subscription-state.service';
import { AttemptStore } from '../storage/attempt.store';
import { DeliveryStore } from '../storage/delivery.store';
import type { WebhookSubscription } from '../storage/entities/subscription.entity';
import { SubscriptionStore, type SubscriptionScope } from '../storage/subscription.store';
import { toDeliveryView, type Page, type WebhookDeliveryView } from './subscription.views';

export type { SubscriptionScope };

@Injectable()
export class WebhookSubscriptionsService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly attempts: AttemptStore,
    private readonly catalogue: EventCatalogue,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly urlGuard: UrlGuard,
    private readonly templates: TemplateRenderer,
  ) {}

  /** Creates a subscription; input from code gets the same validation as the admin API. */
  async create(scope: SubscriptionScope, raw: CreateSubscriptionDto): Promise<WebhookSubscription> {
    const input = validateInput(CreateSubscriptionDto, raw);
    const { tenantId, listId } = scope;
    if (listId !== ALL_LISTS && !(await this.options.listExists(tenantId, listId)))
      throw new ListNotFoundError(listId);
    await this.assertAcceptable(input);
    const verify = this.options.verifyEndpointOnCreate;
    const limit = this.options.maxSubscriptionsPerList;
    const saved = await this.subscriptions.insertWithin(
      {
        id: uuidv7(),
        tenantId: scope.tenantId,
        listId: scope.listId,
        url: input.url,
        name: input.name ?? null,
        description: input.description ?? null,
        events: input.events,
        sources: input.sources ?? [...WEBHOOK_EVENT_SOURCES],
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        payloadFormat: input.payloadFormat ?? 'json',
        headers: input.headers ?? null,
        template: input.template ?? null,
        filter: input.filter ?? null,
        rateLimit: input.rateLimit ?? null,
        status: verify ? 'pending_verification' : 'active',
        verificationChallenge: verify ? newChallenge() : null,
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: null,
        lastTestSucceededAt: null,
        lastProbedAt: null,
      },
      limit,
    );
    if (!saved) {
      throw new WebhookLimitError(
        'listId',
        `already has the maximum of ${limit} webhook subscriptions`,
      );
    }
    if (verify) await this.deliveryQueue.enqueueEndpointVerification(saved.id);
    return saved;
  }

  async list(scope: SubscriptionScope, query: PageQuery = {}): Promise<Page<WebhookSubscription>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const beforeId = query.cursor ? decodeCursor(query.cursor) : undefined;
    return toPage(await this.subscriptions.listPage(scope, beforeId, limit + 1), limit);
  }

  async get(scope: SubscriptionScope, id: string): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findInScope(scope, id);
    if (!subscription) throw new SubscriptionNotFoundError(id);
    return subscription;
  }

  async update(
    scope: SubscriptionScope,
    id: string,
    raw: UpdateSubscriptionDto,
  ): Promise<WebhookSubscription> {
    const input = validateInput(UpdateSubscriptionDto, raw);
    const nulls = NOT_NULLABLE.filter((field) => (input[field] as unknown) === null);
    if (nulls.length > 0)
      throw new InvalidSubscriptionError(nulls.map((field) => `${field} must not be null`));
    if (Object.values(input).every((value) => value === undefined)) {
      // Usually a client mistake (a wrong content type leaves the body empty): say so rather than no-op.
      throw new InvalidSubscriptionError(['body must contain at least one field to change']);
    }
    await this.assertAcceptable(input);
    const current = await this.get(scope, id);
    const { status, ...fields } = input;
    const changes: Partial<WebhookSubscription> = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined),
    );
    // A new URL must prove its ownership again, or verification could be sidestepped by an edit.
    const reverify =
      this.options.verifyEndpointOnCreate && fields.url !== undefined && fields.url !== current.url;
    if (reverify)
      Object.assign(changes, {
        status: 'pending_verification',
        verificationChallenge: newChallenge(),
      });
    const transition =
      status !== undefined && !reverify ? this.state.planOwnerChange(current, status) : null;
    if (transition === 'pause') changes.status = 'paused';

    if (Object.keys(changes).length > 0) {
      // Only the changed columns, and only if the status is still the one judged on: a concurrent
      // 410 or auto-disable by a worker is never overwritten by a stale copy.
      const applied = await this.subscriptions.updateIfStatus(id, current.status, changes);
      if (!applied) throw new SubscriptionStateConflictError(STATUS_RACE);
    }
    if (reverify) await this.deliveryQueue.enqueueEndpointVerification(id);
    if (transition === 'resume' || transition === 'reenable') {
      const fresh = await this.get(scope, id);
      const applied = await this.state.enable(
        fresh,
        transition === 'reenable' ? 'owner' : null,
        current.status,
      );
      if (!applied) throw new SubscriptionStateConflictError(STATUS_RACE);
    }
    return this.get(scope, id);
  }

  /** Removes the subscription with its delivery history. */
  async remove(scope: SubscriptionScope, id: string): Promise<void> {
    await this.get(scope, id);
    await this.subscriptions.removeWithHistory(scope, id);
  }

  async listDeliveries(
    scope: SubscriptionScope,
    subscriptionId: string,
    query: DeliveriesQuery = {},
  ): Promise<Page<WebhookDeliveryView>> {
    await this.get(scope, subscriptionId);
    if (query.eventType !== undefined) this.catalogue.assertEventType(query.eventType, 'eventType');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const deliveries = await this.deliveries.listPage({
      tenantId: scope.tenantId,
      subscriptionId,
      status: query.status,
      eventType: query.eventType,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = toPage(deliveries, limit);
    const attempts = await this.attempts.listForDeliveries(
      page.data.map((delivery) => delivery.id),
    );
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

  /**
   * The body a subscription with this format or template would get for an event of the type, with
   * the catalogue's sample data: for checking a template before saving it.
   */
  preview(scope: SubscriptionScope, raw: PreviewDto): RenderedBody & { filterMatches?: boolean } {
    const input = validateInput(PreviewDto, raw);
    this.catalogue.assertEventType(input.eventType, 'eventType');
    const problems = input.template ? this.templates.problemsOf(input.template) : [];
    if (problems.length > 0) throw new InvalidSubscriptionError(problems);
    const sample = this.catalogue.sampleOf(input.eventType);
    const event = {
      id: uuidv7(),
      type: input.eventType,
      occurredAt: new Date(),
      source: 'api' as const,
      listId: scope.listId,
      dataJson: JSON.stringify(sample),
    };
    try {
      const rendered = input.template
        ? this.templates.render(input.template, templateEnvelope(event))
        : renderWebhookBody(event, input.payloadFormat ?? 'json');
      return input.filter
        ? { ...rendered, filterMatches: compileContentFilter(input.filter)(sample) }
        : rendered;
    } catch (error) {
      if (error instanceof TemplateRenderError) {
        throw new InvalidSubscriptionError([`template ${error.message}`]);
      }
      throw error;
    }
  }

  private async assertAcceptable(input: {
    url?: string;
    events?: string[];
    template?: WebhookTemplate | null;
  }): Promise<void> {
    input.events?.forEach((type) => this.catalogue.assertEventType(type, 'events'));
    const templateProblems = input.template ? this.templates.problemsOf(input.template) : [];
    if (templateProblems.length > 0) throw new InvalidSubscriptionError(templateProblems);
    if (input.url !== undefined) await this.urlGuard.assertAcceptable(input.url);
  }
}

/** Fields whose columns are NOT NULL: `null` in a PATCH is refused rather than failing in the database. */
const NOT_NULLABLE = ['url', 'events', 'sources', 'payloadFormat', 'status'] as const;
const STATUS_RACE =
  'status changed while the request was handled: read the subscription again and retry';

function newChallenge(): string {
  return randomBytes(24).toString('base64url');
}

function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, nextCursor: hasMore ? encodeCursor(data[data.length - 1].id) : null };
}
