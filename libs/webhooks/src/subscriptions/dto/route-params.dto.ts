import { IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ApiProperty } from '../../openapi/optional-swagger';

const LIST_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export class ListParamsDto {
  @ApiProperty({ description: "The host's list id", example: '42' })
  @IsString()
  @MaxLength(128)
  @Matches(LIST_ID_PATTERN, { message: 'listId may contain only letters, digits, _ . : -' })
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
