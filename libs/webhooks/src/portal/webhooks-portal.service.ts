import { Inject, Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { signPortalToken, type PortalClaims } from '../admin/portal-token';
import { ALL_LISTS, WEBHOOKS_ROUTE_PREFIX } from '../webhooks.constants';
import { PortalConfigurationError } from '../webhooks.errors';
import {
  WEBHOOKS_OPTIONS,
  type PortalList,
  type ResolvedWebhooksOptions,
} from '../webhooks.options';

export const PORTAL_LOCALES = ['en', 'it', 'de'] as const;
export type PortalLocale = (typeof PORTAL_LOCALES)[number];

/** Where the portal page is served, under the module's routes. */
export const PORTAL_ROUTE = 'webhooks/portal';

export interface CreatePortalSessionInput {
  /** The customer (tenant) the session acts for. */
  tenantId: string;
  /** The lists the customer may manage (an id, or an id and the name to show); omit for all of the tenant's lists. */
  lists?: Array<string | PortalList>;
  /** See everything, change nothing, reveal no secret. */
  readOnly?: boolean;
  /** Default: `portal.sessionTtlMs`; at most `portal.maxSessionTtlMs`. */
  expiresInMs?: number;
  /** Default: the browser's language among `en`, `it`, `de`, else English. */
  locale?: PortalLocale;
  /** Default: the browser's preference. */
  theme?: 'light' | 'dark';
}

export interface PortalSessionLink {
  /** The page with the token in its fragment (never sent to a server, so never in an access log). */
  url: string;
  token: string;
  expiresAt: Date;
}

/** Lists one token may carry; a session over more names none and lets `portal.resolveLists` list them. */
const MAX_LISTS_PER_SESSION = 100;
const MAX_ID_LENGTH = 128;
const MAX_LIST_NAME_LENGTH = 200;

/** Creates the signed links through which a platform's customers open the webhooks portal. */
@Injectable()
export class WebhooksPortal {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly applicationConfig: ApplicationConfig,
    @Inject(WEBHOOKS_ROUTE_PREFIX) private readonly routePrefix: string,
  ) {}

  /** A link to the portal for one tenant (and lists), valid for `expiresInMs`. */
  createSession(input: CreatePortalSessionInput, now = new Date()): PortalSessionLink {
    const [signingKey] = this.options.portalSigningKeys;
    if (!signingKey) {
      throw new PortalConfigurationError(
        'the portal needs portal.signingKeys in the WebhooksModule options',
        'portal.signingKeys',
      );
    }
    const ttlMs = this.ttlOf(input.expiresInMs);
    const issuedAt = Math.floor(now.getTime() / 1000);
    const claims: PortalClaims = {
      sub: checkedId(input.tenantId, 'tenantId'),
      readOnly: checkedFlag(input.readOnly),
      locale: checkedChoice(input.locale, PORTAL_LOCALES, 'locale'),
      theme: checkedChoice(input.theme, ['light', 'dark'] as const, 'theme'),
      iat: issuedAt,
      exp: issuedAt + Math.ceil(ttlMs / 1000),
    };
    if (input.lists !== undefined) claims.lists = checkedLists(input.lists);
    const token = signPortalToken(claims, signingKey);
    return {
      url: `${this.pagePath()}#session=${token}`,
      token,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /**
   * The lists of a session, named: those of its token; or every list of the tenant, then the
   * all-lists scope (`*`, whose subscriptions cover every list).
   */
  async listsOf(session: Pick<PortalClaims, 'sub' | 'lists'>): Promise<PortalList[]> {
    if (session.lists) return session.lists;
    const lists = await this.options.resolvePortalLists(session.sub);
    return [...lists, { id: ALL_LISTS, name: 'All lists' }];
  }

  /** The page's path: under the app's global prefix and the module's `routePrefix`. */
  pagePath(): string {
    const prefixes = [this.applicationConfig.getGlobalPrefix(), this.routePrefix]
      .map((prefix) => prefix.replace(/^\/+|\/+$/g, ''))
      .filter((prefix) => prefix !== '');
    return `/${[...prefixes, PORTAL_ROUTE].join('/')}`;
  }

  private ttlOf(expiresInMs: number | undefined): number {
    const ttl = expiresInMs ?? this.options.portalSessionTtlMs;
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > this.options.portalMaxSessionTtlMs) {
      throw new PortalConfigurationError(
        `expiresInMs must be a positive number of ms up to portal.maxSessionTtlMs (${this.options.portalMaxSessionTtlMs})`,
        'expiresInMs',
      );
    }
    return ttl;
  }
}

function checkedId(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_ID_LENGTH ||
    value.includes('\u0000')
  ) {
    throw new PortalConfigurationError(
      `${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters without NUL`,
      field,
    );
  }
  return value;
}

function checkedFlag(value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new PortalConfigurationError('readOnly must be a boolean', 'readOnly');
  }
  return value === true;
}

function checkedChoice<T extends string>(
  value: unknown,
  choices: readonly T[],
  field: string,
): T | null {
  if (value === undefined) return null;
  if (!choices.includes(value as T)) {
    throw new PortalConfigurationError(`${field} must be one of: ${choices.join(', ')}`, field);
  }
  return value as T;
}

function checkedLists(lists: unknown): PortalList[] {
  if (!Array.isArray(lists) || lists.length === 0 || lists.length > MAX_LISTS_PER_SESSION) {
    throw new PortalConfigurationError(
      `lists must name 1 to ${MAX_LISTS_PER_SESSION} lists (omit it for every list of the tenant)`,
      'lists',
    );
  }
  return lists.map((list: unknown, index) => {
    const field = `lists[${index}]`;
    if (typeof list === 'string') return { id: checkedId(list, field), name: list };
    const { id, name } = (
      typeof list === 'object' && list !== null ? list : {}
    ) as Partial<PortalList>;
    const checked = { id: checkedId(id, `${field}.id`), name: name ?? String(id) };
    if (typeof checked.name !== 'string' || checked.name.length > MAX_LIST_NAME_LENGTH) {
      throw new PortalConfigurationError(
        `${field}.name must be a string of at most ${MAX_LIST_NAME_LENGTH} characters`,
        `${field}.name`,
      );
    }
    return checked;
  });
}
