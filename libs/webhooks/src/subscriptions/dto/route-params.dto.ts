import { IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ApiProperty } from '../../openapi/optional-swagger';

/** A list id, or `*`: the all-lists scope. */
const LIST_ID_PATTERN = /^(?:\*|[A-Za-z0-9_.:-]+)$/;

export class ListParamsDto {
  @ApiProperty({
    description: "The host's list id, or * for every list of the tenant",
    example: '42',
  })
  @IsString()
  @MaxLength(128)
  @Matches(LIST_ID_PATTERN, {
    message: 'listId may contain only letters, digits, _ . : - (or be * for every list)',
  })
  listId!: string;
}

export class SubscriptionParamsDto extends ListParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

export class DeliveryParamsDto extends SubscriptionParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'deliveryId must be a UUID' })
  deliveryId!: string;
}
