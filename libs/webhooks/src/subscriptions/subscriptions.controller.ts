import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../admin/admin-validation.pipe';
import { ParsedInputInterceptor } from '../admin/parsed-input.interceptor';
import { ReadOnlyRedactionInterceptor } from '../admin/read-only-redaction.interceptor';
import { TenantId } from '../admin/tenant.decorator';
import { RevealsSecret, OpenToPortal, WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { ApiErrors, ApiOperation, ApiResponse, ApiTags } from '../openapi/optional-swagger';
import {
  CreatedSubscriptionResponseDto,
  DeliveryPageDto,
  ErrorResponseDto,
  PreviewResponseDto,
  SecretResponseDto,
  SubscriptionPageDto,
  SubscriptionResponseDto,
} from '../openapi/webhook-responses.dto';
import { CreateSubscriptionDto } from './dto/create-subscription.dto';
import { DeliveriesQueryDto, PaginationQueryDto } from './dto/pagination-query.dto';
import { ListParamsDto, SubscriptionParamsDto } from './dto/route-params.dto';
import { PreviewDto } from './dto/preview.dto';
import { UpdateSubscriptionDto } from './dto/update-subscription.dto';
import { WebhookSubscriptionsService } from './subscriptions.service';
import {
  toSubscriptionView,
  type Page,
  type WebhookDeliveryView,
  type WebhookSubscriptionView,
} from './subscription.views';

@ApiTags('webhooks')
@ApiErrors(ErrorResponseDto, 400, 403)
@Controller('lists/:listId/webhooks')
@UseGuards(WebhooksAdminGuard)
@UseInterceptors(ParsedInputInterceptor)
@UsePipes(adminValidationPipe)
@UseFilters(WebhooksErrorFilter)
@UseInterceptors(ReadOnlyRedactionInterceptor)
@OpenToPortal()
export class WebhookSubscriptionsController {
  constructor(private readonly subscriptions: WebhookSubscriptionsService) {}

  @Post()
  @ApiOperation('Subscribe a URL to events of the list')
  @ApiResponse(201, CreatedSubscriptionResponseDto, 'The subscription, with its signing secret')
  @ApiErrors(ErrorResponseDto, 404, 409)
  async create(
    @TenantId() tenantId: string,
    @Param() { listId }: ListParamsDto,
    @Body() body: CreateSubscriptionDto,
  ): Promise<WebhookSubscriptionView> {
    const created = await this.subscriptions.create({ tenantId, listId }, body);
    return toSubscriptionView(created, { includeSecret: true });
  }

  /** What a format or template sends, rendered with sample data, before anything is saved. */
  @Post('preview')
  @ApiOperation('Render an event type with sample data, in a format or through a template')
  @ApiResponse(200, PreviewResponseDto, 'The body, its content type and whether the filter passes')
  @HttpCode(HttpStatus.OK)
  preview(
    @TenantId() tenantId: string,
    @Param() { listId }: ListParamsDto,
    @Body() body: PreviewDto,
  ): PreviewResponseDto {
    return this.subscriptions.preview({ tenantId, listId }, body);
  }

  @Get()
  @ApiOperation("List the list's subscriptions, newest first")
  @ApiResponse(200, SubscriptionPageDto, 'A page of subscriptions')
  async list(
    @TenantId() tenantId: string,
    @Param() { listId }: ListParamsDto,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<WebhookSubscriptionView>> {
    const page = await this.subscriptions.list({ tenantId, listId }, query);
    return {
      nextCursor: page.nextCursor,
      data: page.data.map((subscription) =>
        toSubscriptionView(subscription, { includeSecret: false }),
      ),
    };
  }

  @Get(':id')
  @ApiOperation('Get a subscription')
  @ApiResponse(200, SubscriptionResponseDto, 'The subscription (without its secret)')
  @ApiErrors(ErrorResponseDto, 404)
  async get(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<WebhookSubscriptionView> {
    const subscription = await this.subscriptions.get({ tenantId, listId }, id);
    return toSubscriptionView(subscription, { includeSecret: false });
  }

  /** The signing secret, for the owner to configure their receiver. */
  @Get(':id/secret')
  @RevealsSecret()
  @ApiOperation('Get the signing secret')
  @ApiResponse(200, SecretResponseDto, 'The current secret')
  @ApiErrors(ErrorResponseDto, 404)
  async secret(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<{ secret: string }> {
    const subscription = await this.subscriptions.get({ tenantId, listId }, id);
    return { secret: subscription.secret };
  }

  @Patch(':id')
  @ApiOperation('Change a subscription, pause or resume it')
  @ApiResponse(200, SubscriptionResponseDto, 'The changed subscription')
  @ApiErrors(ErrorResponseDto, 404, 409)
  async update(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
    @Body() body: UpdateSubscriptionDto,
  ): Promise<WebhookSubscriptionView> {
    const updated = await this.subscriptions.update({ tenantId, listId }, id, body);
    return toSubscriptionView(updated, { includeSecret: false });
  }

  @Delete(':id')
  @ApiOperation('Delete a subscription and its delivery history')
  @ApiResponse(204, undefined, 'Deleted')
  @ApiErrors(ErrorResponseDto, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
  ): Promise<void> {
    await this.subscriptions.remove({ tenantId, listId }, id);
  }

  @Get(':id/deliveries')
  @ApiOperation('List deliveries, newest first, each with its attempts')
  @ApiResponse(200, DeliveryPageDto, 'A page of deliveries')
  @ApiErrors(ErrorResponseDto, 404)
  deliveries(
    @TenantId() tenantId: string,
    @Param() { listId, id }: SubscriptionParamsDto,
    @Query() query: DeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryView>> {
    return this.subscriptions.listDeliveries({ tenantId, listId }, id, query);
  }
}
