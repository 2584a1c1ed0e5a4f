import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../storage/entities/delivery.entity';
import { ApiPropertyOptional } from '../../openapi/optional-swagger';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageQuery {
  /** Page size, 1 to 100. Default: 20. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface DeliveriesQuery extends PageQuery {
  status?: DeliveryStatus;
  /** Only deliveries of events of this type (from the catalogue). */
  eventType?: string;
}

export class PaginationQueryDto implements PageQuery {
  @ApiPropertyOptional({ description: 'Page size, 1 to 100 (default 20)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** `nextCursor` of the previous page. */
  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class DeliveriesQueryDto extends PaginationQueryDto implements DeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of: ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({ description: 'Only deliveries of events of this type' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  eventType?: string;
}
