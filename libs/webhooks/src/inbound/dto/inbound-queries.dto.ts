import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '../../openapi/optional-swagger';
import {
  INBOUND_EVENT_STATUSES,
  type InboundEventStatus,
} from '../../storage/entities/inbound-event.entity';
import { PaginationQueryDto } from '../../subscriptions/dto/pagination-query.dto';

export class InboundEndpointsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Only the endpoints of this list' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'listId may contain only letters, digits, _ . : -' })
  listId?: string;
}

export class InboundEventsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: INBOUND_EVENT_STATUSES })
  @IsOptional()
  @IsIn(INBOUND_EVENT_STATUSES, {
    message: `status must be one of: ${INBOUND_EVENT_STATUSES.join(', ')}`,
  })
  status?: InboundEventStatus;
}

export class InboundEndpointParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

export class InboundEventParamsDto extends InboundEndpointParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'eventId must be a UUID' })
  eventId!: string;
}
