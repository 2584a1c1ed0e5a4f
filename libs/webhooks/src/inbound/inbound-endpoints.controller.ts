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
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../admin/admin-validation.pipe';
import { TenantId } from '../admin/tenant.decorator';
import { RevealsSecret, WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { ApiErrors, ApiOperation, ApiTags } from '../openapi/optional-swagger';
import { ErrorResponseDto } from '../openapi/webhook-responses.dto';
import type { Page } from '../subscriptions/subscription.views';
import { CreateInboundEndpointDto } from './dto/create-inbound-endpoint.dto';
import {
  InboundEndpointParamsDto,
  InboundEndpointsQueryDto,
  InboundEventParamsDto,
  InboundEventsQueryDto,
} from './dto/inbound-queries.dto';
import { RotateInboundSecretDto } from './dto/rotate-inbound-secret.dto';
import { UpdateInboundEndpointDto } from './dto/update-inbound-endpoint.dto';
import { InboundPortalScopeGuard } from './inbound-portal-scope.guard';
import type { InboundEndpointView, InboundEventView } from './inbound.views';
import { WebhookInboundService } from './webhook-inbound.service';

/** Inbound endpoints of the request's tenant, and what they received. */
@ApiTags('webhooks-inbound')
@ApiErrors(ErrorResponseDto, 400, 403)
@Controller('webhooks/inbound')
@UseGuards(WebhooksAdminGuard, InboundPortalScopeGuard)
@UsePipes(adminValidationPipe)
@UseFilters(WebhooksErrorFilter)
export class InboundEndpointsController {
  constructor(private readonly inbound: WebhookInboundService) {}

  @Post()
  @ApiOperation('Create an inbound endpoint', 'The answer carries its secret and receiving path.')
  create(
    @TenantId() tenantId: string,
    @Body() body: CreateInboundEndpointDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.create(tenantId, body);
  }

  @Get()
  @ApiOperation("List the tenant's inbound endpoints, newest first")
  list(
    @TenantId() tenantId: string,
    @Query() query: InboundEndpointsQueryDto,
  ): Promise<Page<InboundEndpointView>> {
    return this.inbound.list(tenantId, query);
  }

  @Get(':id')
  @ApiOperation('Get an inbound endpoint (without its secret)')
  @ApiErrors(ErrorResponseDto, 404)
  get(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.get(tenantId, id);
  }

  @Get(':id/secret')
  @RevealsSecret()
  @ApiOperation('Get the secret senders sign with')
  @ApiErrors(ErrorResponseDto, 404)
  secret(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<{ secret: string }> {
    return this.inbound.secret(tenantId, id);
  }

  @Patch(':id')
  @ApiOperation('Change an inbound endpoint')
  @ApiErrors(ErrorResponseDto, 404)
  update(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
    @Body() body: UpdateInboundEndpointDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.update(tenantId, id, body);
  }

  @Delete(':id')
  @ApiOperation('Delete an inbound endpoint and the events it received')
  @ApiErrors(ErrorResponseDto, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<void> {
    await this.inbound.remove(tenantId, id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation(
    'Rotate the secret',
    'Give the secret the provider issued, or get a generated one; the previous one is accepted for the grace period.',
  )
  @ApiErrors(ErrorResponseDto, 404, 409)
  @HttpCode(HttpStatus.OK)
  rotateSecret(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
    @Body() body: RotateInboundSecretDto,
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    return this.inbound.rotateSecret(tenantId, id, body);
  }

  @Get(':id/events')
  @ApiOperation('List received events, newest first, with their processing status and attempts')
  @ApiErrors(ErrorResponseDto, 404)
  events(
    @TenantId() tenantId: string,
    @Param() { id }: InboundEndpointParamsDto,
    @Query() query: InboundEventsQueryDto,
  ): Promise<Page<InboundEventView>> {
    return this.inbound.listEvents(tenantId, id, query);
  }

  @Get(':id/events/:eventId')
  @ApiOperation('Get a received event')
  @ApiErrors(ErrorResponseDto, 404)
  event(
    @TenantId() tenantId: string,
    @Param() { id, eventId }: InboundEventParamsDto,
  ): Promise<InboundEventView> {
    return this.inbound.getEvent(tenantId, id, eventId);
  }

  @Post(':id/events/:eventId/replay')
  @ApiOperation('Process a processed or failed event again')
  @ApiErrors(ErrorResponseDto, 404, 409)
  @HttpCode(HttpStatus.ACCEPTED)
  replay(
    @TenantId() tenantId: string,
    @Param() { id, eventId }: InboundEventParamsDto,
  ): Promise<{ eventId: string }> {
    return this.inbound.replay(tenantId, id, eventId);
  }
}
