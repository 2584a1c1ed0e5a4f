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
import { OpenToPortal, RevealsSecret, WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { ApiErrors, ApiOperation, ApiResponse, ApiTags } from '../openapi/optional-swagger';
import {
  ErrorResponseDto,
  RotatedSecretResponseDto,
  SecretResponseDto,
} from '../openapi/webhook-responses.dto';
import {
  CreatedInboundEndpointResponseDto,
  InboundEndpointPageDto,
  InboundEndpointResponseDto,
  InboundEventPageDto,
  InboundEventResponseDto,
  ReplayResponseDto,
} from './dto/inbound-responses.dto';
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
import { InboundScopeOf } from './inbound-scope.decorator';
import type { InboundEndpointView, InboundEventView } from './inbound.views';
import { WebhookInboundService, type InboundScope } from './webhook-inbound.service';

/**
 * Inbound endpoints of the request's tenant (of its lists, for a portal session limited to some), and
 * what they received.
 */
@ApiTags('webhooks-inbound')
@ApiErrors(ErrorResponseDto, 400, 403)
@Controller('webhooks/inbound')
@OpenToPortal()
@UseGuards(WebhooksAdminGuard)
@UseInterceptors(ParsedInputInterceptor)
@UsePipes(adminValidationPipe)
@UseFilters(WebhooksErrorFilter)
export class InboundEndpointsController {
  constructor(private readonly inbound: WebhookInboundService) {}

  @Post()
  @ApiOperation('Create an inbound endpoint', 'The answer carries its secret and receiving path.')
  @ApiResponse(201, CreatedInboundEndpointResponseDto, 'The endpoint, with its secret')
  create(
    @InboundScopeOf() scope: InboundScope,
    @Body() body: CreateInboundEndpointDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.create(scope, body);
  }

  @Get()
  @ApiOperation("List the tenant's inbound endpoints, newest first")
  @ApiResponse(200, InboundEndpointPageDto, 'A page of endpoints')
  list(
    @InboundScopeOf() scope: InboundScope,
    @Query() query: InboundEndpointsQueryDto,
  ): Promise<Page<InboundEndpointView>> {
    return this.inbound.list(scope, query);
  }

  @Get(':id')
  @ApiOperation('Get an inbound endpoint (without its secret)')
  @ApiResponse(200, InboundEndpointResponseDto, 'The endpoint')
  @ApiErrors(ErrorResponseDto, 404)
  get(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.get(scope, id);
  }

  @Get(':id/secret')
  @RevealsSecret()
  @ApiOperation('Get the secret senders sign with')
  @ApiResponse(200, SecretResponseDto, 'The current secret')
  @ApiErrors(ErrorResponseDto, 404)
  secret(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<{ secret: string }> {
    return this.inbound.secret(scope, id);
  }

  @Patch(':id')
  @ApiOperation('Change an inbound endpoint')
  @ApiResponse(200, InboundEndpointResponseDto, 'The changed endpoint')
  @ApiErrors(ErrorResponseDto, 404)
  update(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
    @Body() body: UpdateInboundEndpointDto,
  ): Promise<InboundEndpointView> {
    return this.inbound.update(scope, id, body);
  }

  @Delete(':id')
  @ApiOperation('Delete an inbound endpoint and the events it received')
  @ApiResponse(204, undefined, 'Deleted')
  @ApiErrors(ErrorResponseDto, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
  ): Promise<void> {
    await this.inbound.remove(scope, id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation(
    'Rotate the secret',
    'Give the secret the provider issued, or get a generated one; the previous one is accepted for the grace period.',
  )
  @ApiResponse(200, RotatedSecretResponseDto, 'The new secret')
  @ApiErrors(ErrorResponseDto, 404, 409)
  @HttpCode(HttpStatus.OK)
  rotateSecret(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
    @Body() body: RotateInboundSecretDto,
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    return this.inbound.rotateSecret(scope, id, body);
  }

  @Get(':id/events')
  @ApiOperation('List received events, newest first, with their processing status and attempts')
  @ApiResponse(200, InboundEventPageDto, 'A page of events')
  @ApiErrors(ErrorResponseDto, 404)
  events(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id }: InboundEndpointParamsDto,
    @Query() query: InboundEventsQueryDto,
  ): Promise<Page<InboundEventView>> {
    return this.inbound.listEvents(scope, id, query);
  }

  @Get(':id/events/:eventId')
  @ApiOperation('Get a received event')
  @ApiResponse(200, InboundEventResponseDto, 'The event')
  @ApiErrors(ErrorResponseDto, 404)
  event(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id, eventId }: InboundEventParamsDto,
  ): Promise<InboundEventView> {
    return this.inbound.getEvent(scope, id, eventId);
  }

  @Post(':id/events/:eventId/replay')
  @ApiOperation('Process a processed or failed event again')
  @ApiResponse(202, ReplayResponseDto, 'The event is queued')
  @ApiErrors(ErrorResponseDto, 404, 409)
  @HttpCode(HttpStatus.ACCEPTED)
  replay(
    @InboundScopeOf() scope: InboundScope,
    @Param() { id, eventId }: InboundEventParamsDto,
  ): Promise<{ eventId: string }> {
    return this.inbound.replay(scope, id, eventId);
  }
}
