import {
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
  type Type,
  SetMetadata,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  WEBHOOKS_OPTIONS,
  type ResolvedWebhooksOptions,
  type WebhooksAdminRequest,
} from '../webhooks.options';
import { PortalAccessError } from '../webhooks.errors';
import { isPortalToken, verifyPortalToken, type PortalClaims } from './portal-token';

export const TENANT_REQUEST_KEY = '__nestHooksTenantId';
export const PORTAL_SESSION_REQUEST_KEY = '__nestHooksPortalSession';
const REVEALS_SECRET = Symbol('revealsSecret');
const OPEN_TO_PORTAL = Symbol('openToPortal');

/** Marks a read route that a read-only portal session may not use (it shows a secret). */
export const RevealsSecret = (): MethodDecorator => SetMetadata(REVEALS_SECRET, true);

/** Marks the admin routes a portal session may use; every other one refuses portal tokens. */
export const OpenToPortal = (): ClassDecorator & MethodDecorator =>
  SetMetadata(OPEN_TO_PORTAL, true);

const READING_METHODS = new Set(['GET', 'HEAD']);

/** The bearer token of the request when it is a portal token, else null. */
export function portalTokenOf(request: Pick<WebhooksAdminRequest, 'headers'>): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match && isPortalToken(match[1]) ? match[1] : null;
}

/** The tenant column's length. */
const MAX_TENANT_LENGTH = 128;
const UNRESOLVED = 'tenant could not be resolved for this request';

function tenantProblem(tenantId: unknown): string | null {
  if (typeof tenantId !== 'string' || tenantId.length === 0) return UNRESOLVED;
  if (tenantId.length > MAX_TENANT_LENGTH || tenantId.includes('\u0000')) {
    return `tenant resolved for this request is invalid: resolveTenant must return a non-empty string of at most ${MAX_TENANT_LENGTH} characters without NUL`;
  }
  return null;
}

/**
 * Resolves the tenant every admin query is scoped by. A request carrying a portal token is a
 * customer's portal session: the token names the tenant and the lists, and the host's guards and
 * `resolveTenant` are not asked (the host signed the token after its own checks). Any other request
 * goes through the host's guards, then `resolveTenant`.
 */
@Injectable()
export class WebhooksAdminGuard implements CanActivate {
  private readonly logger = new Logger('WebhooksAdmin');
  private readonly created = new Map<Type<CanActivate>, CanActivate>();

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly moduleRef: ModuleRef,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const portalToken = portalTokenOf(context.switchToHttp().getRequest<WebhooksAdminRequest>());
    if (portalToken !== null) return this.admitPortalSession(context, portalToken);
    for (const configured of this.options.guards) {
      const guard =
        typeof configured === 'function' ? await this.instantiate(configured) : configured;
      const verdict = guard.canActivate(context);
      const allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
      if (!allowed) throw new ForbiddenException();
    }
    const request = context.switchToHttp().getRequest<WebhooksAdminRequest>();
    const tenantId = await this.resolveTenant(request);
    const problem = tenantProblem(tenantId);
    if (problem) throw new ForbiddenException(problem);
    request[TENANT_REQUEST_KEY] = tenantId;
    return true;
  }

  private admitPortalSession(context: ExecutionContext, token: string): boolean {
    const request = context.switchToHttp().getRequest<WebhooksAdminRequest & { method?: string }>();
    const session = verifyPortalToken(token, this.options.portalSigningKeys, new Date());
    const open = this.reflector.getAllAndOverride<boolean | undefined>(OPEN_TO_PORTAL, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!open) throw PortalAccessError.routeNotInPortal();
    if (session.readOnly) {
      const revealsSecret = this.reflector.get<boolean | undefined>(
        REVEALS_SECRET,
        context.getHandler(),
      );
      if (!READING_METHODS.has(request.method ?? 'GET') || revealsSecret) {
        throw PortalAccessError.readOnly();
      }
    }
    const listId = request.params?.listId;
    if (listId !== undefined && !mayUseList(session, listId)) {
      throw PortalAccessError.listNotInSession();
    }
    request[TENANT_REQUEST_KEY] = session.sub;
    request[PORTAL_SESSION_REQUEST_KEY] = session;
    return true;
  }

  /** The host's answer; its own HTTP exceptions pass, any other error is logged and refused (403). */
  private async resolveTenant(request: WebhooksAdminRequest): Promise<unknown> {
    try {
      return await this.options.resolveTenant(request);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error(
        `admin.resolveTenant threw: ${String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
      throw new ForbiddenException(UNRESOLVED);
    }
  }

  private async instantiate(type: Type<CanActivate>): Promise<CanActivate> {
    const known = this.created.get(type);
    if (known) return known;
    let guard: CanActivate;
    try {
      guard = this.moduleRef.get(type, { strict: false });
    } catch {
      guard = await this.moduleRef.create(type);
    }
    this.created.set(type, guard);
    return guard;
  }
}

function mayUseList(session: PortalClaims, listId: string): boolean {
  return session.lists === undefined || session.lists.some((list) => list.id === listId);
}
