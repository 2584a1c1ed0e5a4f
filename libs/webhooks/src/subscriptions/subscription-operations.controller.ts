import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../admin/admin-validation.pipe';
import { TenantId } from '../admin/tenant.decorator';
import { WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { RecoverDto } from './dto/recover.dto';
import { DeliveryParamsDto, SubscriptionParamsDto } from './dto/route-params.dto';
import { WebhookOperationsService } from './subscription-operations.service';
import type { TestDeliveryResult } from './subscription.views';

@Controller('lists/:listId/webhooks/:id')
@UseGuards(WebhooksAdminGuard)
@UsePipes(adminValidationPipe)
@UseFilters(WebhooksErrorFilter)
export class WebhookOperationsController {
  constructor(private readonly operations: WebhookOperationsService) {}

  /** Sends a `webhook.test` event now and reports how the endpoint answered. */
  @Post('test')
  @HttpCode(HttpStatus.OK)
  test(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<TestDeliveryResult> {
    return this.operations.sendTest({ tenantId, listId }, id);
  }

  @Post('deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  redeliver(
    @TenantId() tenantId: string,
    @Param() { listId, id, deliveryId }: DeliveryParamsDto,
  ): Promise<{ deliveryId: string; attempt: number }> {
    return this.operations.redeliver({ tenantId, listId }, id, deliveryId);
  }

  @Post('recover')
  @HttpCode(HttpStatus.ACCEPTED)
  recover(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
    @Body() { since }: RecoverDto,
  ): Promise<{ requeued: number }> {
    return this.operations.recover({ tenantId, listId }, id, new Date(since));
  }

  @Post('rotate-secret')
  @HttpCode(HttpStatus.OK)
  rotateSecret(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    return this.operations.rotateSecret({ tenantId, listId }, id);
  }

  /** Sends the ownership challenge again (subscriptions in `pending_verification`). */
  @Post('verify')
  @HttpCode(HttpStatus.OK)
  verify(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<TestDeliveryResult & { status: string }> {
    return this.operations.verify({ tenantId, listId }, id);
  }
}
