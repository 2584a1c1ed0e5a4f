import {
  ForbiddenException,
  Inject,
  Injectable,
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

/** Runs the host's guards, then resolves the tenant every admin query is scoped by. */
@Injectable()
export class WebhooksAdminGuard implements CanActivate {
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
    const tenantId = await this.options.resolveTenant(request);
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw new ForbiddenException('tenant could not be resolved for this request');
    }
    request[TENANT_REQUEST_KEY] = tenantId;
    return true;
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
