import { ApiProperty } from '../../openapi/optional-swagger';
import { INBOUND_EVENT_STATUSES } from '../../storage/entities/inbound-event.entity';

/** Response shapes of the inbound admin routes, for the OpenAPI document. */

export class InboundEndpointResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String, example: '42' }) listId!: string | null;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ example: 'stripe' }) scheme!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'string' } })
  settings!: Record<string, string> | null;
  @ApiProperty({
    description: 'Where senders post; put your origin (and global prefix) in front',
    example: '/webhooks/in/3q2-7wL8xk0mXo6vN1sZk9rT4yUe5bJd',
  })
  path!: string;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'Until when the previous secret is accepted',
  })
  previousSecretExpiresAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class CreatedInboundEndpointResponseDto extends InboundEndpointResponseDto {
  @ApiProperty({ description: 'Give it to the sender (or the one it issued, as sent)' })
  secret!: string;
}

export class InboundEndpointPageDto {
  @ApiProperty({ type: [InboundEndpointResponseDto] }) data!: InboundEndpointResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class InboundEventResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ nullable: true, type: String }) listId!: string | null;
  @ApiProperty({ example: 'stripe' }) scheme!: string;
  @ApiProperty({ nullable: true, type: String, example: 'evt_1NG8Du2eZvKYlo2CUI79vXWy' })
  providerEventId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'customer.created' }) type!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  headers!: Record<string, string>;
  @ApiProperty({ enum: INBOUND_EVENT_STATUSES }) status!: string;
  @ApiProperty({ description: 'Processing attempts started' }) attempts!: number;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt!: Date | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() receivedAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) processedAt!: Date | null;
}

export class InboundEventPageDto {
  @ApiProperty({ type: [InboundEventResponseDto] }) data!: InboundEventResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReplayResponseDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
}
