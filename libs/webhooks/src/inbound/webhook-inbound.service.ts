import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { WebhookInboundEndpoint } from '../storage/entities/inbound-endpoint.entity';
import {
  InboundEndpointStore,
  type InboundEndpointChanges,
} from '../storage/inbound-endpoint.store';
import { InboundEventStore } from '../storage/inbound-event.store';
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../subscriptions/dto/pagination-query.dto';
import { validateInput } from '../subscriptions/dto/validate-input';
import type { Page } from '../subscriptions/subscription.views';
import { WEBHOOKS_ROUTE_PREFIX } from '../webhooks.constants';
import {
  InboundEndpointNotFoundError,
  InboundEventNotFoundError,
  InboundStateConflictError,
  InvalidInboundEndpointError,
  PortalAccessError,
} from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { CreateInboundEndpointDto } from './dto/create-inbound-endpoint.dto';
import { RotateInboundSecretDto } from './dto/rotate-inbound-secret.dto';
import type { InboundEventStatus } from '../storage/entities/inbound-event.entity';
import { UpdateInboundEndpointDto } from './dto/update-inbound-endpoint.dto';
import { InboundQueue } from './inbound.queue';
import { wholeSecond } from './inbound-retry';
import { InboundSchemes } from './inbound-schemes';
import {
  toInboundEndpointView,
  toInboundEventView,
  type InboundEndpointView,
  type InboundEventView,
} from './inbound.views';

/**
 * What a caller may reach: a tenant's endpoints, or only those of some of its lists (a portal session
 * limited to them); an endpoint outside the scope is not found.
 */
export interface InboundScope {
  tenantId: string;
  /** Only endpoints of these lists (endpoints of the whole tenant are then out of reach). */
  lists?: readonly string[];
}

export interface InboundEndpointsQuery extends PageQuery {
  listId?: string;
}

export interface InboundEventsQuery extends PageQuery {
  status?: InboundEventStatus;
}

const invalid = (problems: string[]) => new InvalidInboundEndpointError(problems);

/**
 * Inbound endpoints of a tenant, and the events they received: what the admin routes do, callable
 * from the host's code with the same validation. Every method is scoped by the tenant; an endpoint
 * of another tenant is not found.
 */
@Injectable()
export class WebhookInboundService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @Inject(WEBHOOKS_ROUTE_PREFIX) private readonly routePrefix: string,
    private readonly endpoints: InboundEndpointStore,
    private readonly events: InboundEventStore,
    private readonly schemes: InboundSchemes,
    private readonly queue: InboundQueue,
  ) {}

  /** Creates an endpoint; the view carries its secret and receiving path. */
  async create(scope: InboundScope, raw: CreateInboundEndpointDto): Promise<InboundEndpointView> {
    const input = validateInput(CreateInboundEndpointDto, raw, invalid);
    const settings = input.settings ?? {};
    const problems = this.schemes.problems(input.scheme, settings, input.secret ?? null);
    if (problems.length > 0) throw invalid(problems);
    assertListInScope(scope, input.listId ?? null);
    const created = await this.endpoints.insert({
      id: uuidv7(),
      token: randomBytes(24).toString('base64url'),
      tenantId: scope.tenantId,
      listId: input.listId ?? null,
      name: input.name ?? null,
      scheme: input.scheme,
      secret: input.secret ?? this.schemes.generateSecret(input.scheme),
      previousSecret: null,
      previousSecretExpiresAt: null,
      settings: Object.keys(settings).length > 0 ? settings : null,
    });
    return this.view(created, true);
  }

  async list(
    scope: InboundScope,
    query: InboundEndpointsQuery = {},
  ): Promise<Page<InboundEndpointView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const wanted = query.listId === undefined ? undefined : [query.listId];
    const rows = await this.endpoints.listPage({
      tenantId: scope.tenantId,
      listIds: scope.lists
        ? (wanted ?? scope.lists).filter((list) => scope.lists?.includes(list))
        : wanted,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = toPage(rows, limit);
    return { ...page, data: page.data.map((endpoint) => this.view(endpoint, false)) };
  }

  async get(scope: InboundScope, id: string): Promise<InboundEndpointView> {
    return this.view(await this.find(scope, id), false);
  }

  /** The endpoint's secret, for the owner to configure the sender. */
  async secret(scope: InboundScope, id: string): Promise<{ secret: string }> {
    return { secret: (await this.find(scope, id)).secret };
  }

  async update(
    scope: InboundScope,
    id: string,
    raw: UpdateInboundEndpointDto,
  ): Promise<InboundEndpointView> {
    const input = validateInput(UpdateInboundEndpointDto, raw, invalid);
    const nulls = (['scheme', 'secret', 'settings'] as const).filter(
      (field) => (input[field] as unknown) === null,
    );
    if (nulls.length > 0) throw invalid(nulls.map((field) => `${field} must not be null`));
    if (Object.values(input).every((value) => value === undefined)) {
      throw invalid(['body must contain at least one field to change']);
    }
    const current = await this.find(scope, id);
    if (input.listId !== undefined) assertListInScope(scope, input.listId);
    const scheme = input.scheme ?? current.scheme;
    const settings = input.settings ?? (input.scheme ? {} : (current.settings ?? {}));
    const schemeChanged = scheme !== current.scheme;
    // A new scheme needs a secret of its own: the one given, or a generated one.
    const problems = this.schemes.problems(
      scheme,
      settings,
      input.secret ?? (schemeChanged ? null : current.secret),
    );
    if (problems.length > 0) throw invalid(problems);
    const changes: InboundEndpointChanges = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.listId !== undefined) changes.listId = input.listId;
    if (input.scheme !== undefined || input.settings !== undefined) {
      changes.scheme = scheme;
      changes.settings = Object.keys(settings).length > 0 ? settings : null;
    }
    if (input.secret !== undefined) changes.secret = input.secret;
    else if (schemeChanged) changes.secret = this.schemes.generateSecret(scheme);
    if (!(await this.endpoints.update(scope.tenantId, id, changes))) {
      throw new InboundEndpointNotFoundError(id);
    }
    return this.view(await this.find({ tenantId: scope.tenantId }, id), false);
  }

  /** Deletes the endpoint and the events it received; its URL answers 404 from then on. */
  async remove(scope: InboundScope, id: string): Promise<void> {
    await this.find(scope, id);
    if (!(await this.endpoints.removeWithEvents(scope.tenantId, id))) {
      throw new InboundEndpointNotFoundError(id);
    }
  }

  /**
   * A new secret (the one given, as a provider issued it, or a generated one); the previous one is
   * still accepted for `security.secretRotationGraceMs`.
   */
  async rotateSecret(
    scope: InboundScope,
    id: string,
    raw: RotateInboundSecretDto = {},
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const input = validateInput(RotateInboundSecretDto, raw, invalid);
    const current = await this.find(scope, id);
    if (input.secret !== undefined) {
      const problems = this.schemes.problems(current.scheme, current.settings ?? {}, input.secret);
      if (problems.length > 0) throw invalid(problems);
    }
    const secret = input.secret ?? this.schemes.generateSecret(current.scheme);
    const previousSecretExpiresAt = wholeSecond(
      new Date(Date.now() + this.options.secretRotationGraceMs),
    );
    const rotated = await this.endpoints.rotateSecret(scope.tenantId, id, {
      current: current.secret,
      secret,
      currentExpiresAt: previousSecretExpiresAt,
    });
    if (!rotated) {
      throw new InboundStateConflictError(
        'the secret changed while the request was handled: read the endpoint again and retry',
        'secret',
      );
    }
    return { secret, previousSecretExpiresAt };
  }

  /** Received events, newest first, with their processing status and attempts. */
  async listEvents(
    scope: InboundScope,
    endpointId: string,
    query: InboundEventsQuery = {},
  ): Promise<Page<InboundEventView>> {
    await this.find(scope, endpointId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.events.listPage({
      endpointId,
      status: query.status,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = toPage(rows, limit);
    return { ...page, data: page.data.map(toInboundEventView) };
  }

  async getEvent(
    scope: InboundScope,
    endpointId: string,
    eventId: string,
  ): Promise<InboundEventView> {
    await this.find(scope, endpointId);
    const event = await this.events.findInEndpoint(endpointId, eventId);
    if (!event) throw new InboundEventNotFoundError(eventId);
    return toInboundEventView(event);
  }

  /** Processes a settled (processed or failed) event again, with a fresh retry schedule. */
  async replay(
    scope: InboundScope,
    endpointId: string,
    eventId: string,
  ): Promise<{ eventId: string }> {
    await this.getEvent(scope, endpointId, eventId);
    const due = await this.events.replay(endpointId, eventId, wholeSecond(new Date()));
    if (!due) {
      throw new InboundStateConflictError(
        'the event is still being processed: replay it once it is processed or failed',
        'eventId',
      );
    }
    await this.queue.enqueue([due]);
    return { eventId };
  }

  private async find(scope: InboundScope, id: string): Promise<WebhookInboundEndpoint> {
    const endpoint = await this.endpoints.findInTenant(scope.tenantId, id);
    if (!endpoint || !listInScope(scope, endpoint.listId)) {
      throw new InboundEndpointNotFoundError(id);
    }
    return endpoint;
  }

  private view(endpoint: WebhookInboundEndpoint, includeSecret: boolean): InboundEndpointView {
    return toInboundEndpointView(endpoint, this.routePrefix, { includeSecret });
  }
}

function listInScope(scope: InboundScope, listId: string | null): boolean {
  return scope.lists === undefined || (listId !== null && scope.lists.includes(listId));
}

/** A session limited to lists creates and moves endpoints within them only. */
function assertListInScope(scope: InboundScope, listId: string | null): void {
  if (!listInScope(scope, listId)) throw PortalAccessError.listNotInSession();
}

function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, nextCursor: hasMore ? encodeCursor(data[data.length - 1].id) : null };
}
