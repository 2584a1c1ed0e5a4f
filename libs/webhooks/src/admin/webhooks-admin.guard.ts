import {
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  WEBHOOKS_OPTIONS,
  type ResolvedWebhooksOptions,
  type WebhooksAdminRequest,
} from '../webhooks.options';

export const TENANT_REQUEST_KEY = '__nestHooksTenantId';

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

/** Runs the host's guards, then resolves the tenant every admin query is scoped by. */
@Injectable()
export class WebhooksAdminGuard implements CanActivate {
  private readonly logger = new Logger('WebhooksAdmin');
  private readonly created = new Map<Type<CanActivate>, CanActivate>();

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
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
