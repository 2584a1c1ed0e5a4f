import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../admin/admin-validation.pipe';
import { ParsedInputInterceptor } from '../admin/parsed-input.interceptor';
import { TenantId } from '../admin/tenant.decorator';
import { OpenToPortal, WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { ApiErrors, ApiOperation, ApiResponse, ApiTags } from '../openapi/optional-swagger';
import {
  ErrorResponseDto,
  RecoverResponseDto,
  RedeliverResponseDto,
  RotatedSecretResponseDto,
  TestDeliveryResponseDto,
  VerifyResponseDto,
} from '../openapi/webhook-responses.dto';
import { RecoverDto } from './dto/recover.dto';
import { DeliveryParamsDto, SubscriptionParamsDto } from './dto/route-params.dto';
import { WebhookOperationsService } from './subscription-operations.service';
import type { TestDeliveryResult } from './subscription.views';

@ApiTags('webhooks')
@ApiErrors(ErrorResponseDto, 400, 403, 404)
@Controller('lists/:listId/webhooks/:id')
@UseGuards(WebhooksAdminGuard)
@UseInterceptors(ParsedInputInterceptor)
@UsePipes(adminValidationPipe)
@UseFilters(WebhooksErrorFilter)
@OpenToPortal()
export class WebhookOperationsController {
  constructor(private readonly operations: WebhookOperationsService) {}

  /** Sends a `webhook.test` event now and reports how the endpoint answered. */
  @Post('test')
  @ApiOperation(
    'Send a webhook.test event now',
    'Works in any status; a success allows re-enabling a disabled subscription.',
  )
  @ApiResponse(200, TestDeliveryResponseDto, 'How the endpoint answered')
  @HttpCode(HttpStatus.OK)
  test(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<TestDeliveryResult> {
    return this.operations.sendTest({ tenantId, listId }, id);
  }

  @Post('deliveries/:deliveryId/redeliver')
  @ApiOperation('Attempt a delivery again, with the same webhook-id')
  @ApiResponse(202, RedeliverResponseDto, 'The attempt is queued')
  @HttpCode(HttpStatus.ACCEPTED)
  redeliver(
    @TenantId() tenantId: string,
    @Param() { listId, id, deliveryId }: DeliveryParamsDto,
  ): Promise<{ deliveryId: string; attempt: number; merged: boolean }> {
    return this.operations.redeliver({ tenantId, listId }, id, deliveryId);
  }

  @Post('recover')
  @ApiOperation('Retry every failed or exhausted delivery since a time')
  @ApiResponse(202, RecoverResponseDto, 'How many deliveries were queued')
  @HttpCode(HttpStatus.ACCEPTED)
  recover(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
    @Body() { since }: RecoverDto,
  ): Promise<{ requeued: number }> {
    return this.operations.recover({ tenantId, listId }, id, new Date(since));
  }

  @Post('rotate-secret')
  @ApiOperation(
    'Rotate the signing secret',
    'The previous secret keeps signing (a second signature) for the grace period.',
  )
  @ApiResponse(200, RotatedSecretResponseDto, 'The new secret')
  @HttpCode(HttpStatus.OK)
  rotateSecret(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    return this.operations.rotateSecret({ tenantId, listId }, id);
  }

  /** Sends the ownership challenge again (subscriptions in `pending_verification`). */
  @Post('verify')
  @ApiOperation('Send the ownership challenge again')
  @ApiResponse(200, VerifyResponseDto, 'How the endpoint answered, and the resulting status')
  @ApiErrors(ErrorResponseDto, 409)
  @HttpCode(HttpStatus.OK)
  verify(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<TestDeliveryResult & { status: string }> {
    return this.operations.verify({ tenantId, listId }, id);
  }
}
