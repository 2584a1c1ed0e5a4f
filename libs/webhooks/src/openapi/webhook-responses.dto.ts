import { ATTEMPT_ERROR_KINDS, ATTEMPT_TRIGGERS } from '../storage/entities/attempt.entity';
import { DELIVERY_STATUSES } from '../storage/entities/delivery.entity';
import { WEBHOOK_EVENT_SOURCES } from '../catalogue/event-catalogue';
import { PAYLOAD_FORMATS, SUBSCRIPTION_STATUSES } from '../storage/entities/subscription.entity';
import { ApiProperty, ApiPropertyOptional } from './optional-swagger';

/** Response shapes of the admin API, for the OpenAPI document. */

export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ type: [String], example: ['url must be an absolute http or https URL'] })
  message!: string[];
  @ApiPropertyOptional({
    description:
      "Machine-readable code: a library error's, or `invalid_request` for a field that fails its rules",
    example: 'url_not_allowed',
  })
  code?: string;
}

export class EventTypeDto {
  @ApiProperty({ example: 'contact.subscribed' }) type!: string;
  @ApiProperty({ example: 'A contact subscribed to the list.' }) description!: string;
}

export class EventTypesResponseDto {
  @ApiProperty({ type: [EventTypeDto] }) eventTypes!: EventTypeDto[];
  @ApiProperty({ enum: WEBHOOK_EVENT_SOURCES, isArray: true }) sources!: string[];
}

export class SubscriptionResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '42' }) listId!: string;
  @ApiProperty({ example: 'https://hooks.example.com/marketing' }) url!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [String], example: ['contact.subscribed'] }) events!: string[];
  @ApiProperty({ enum: WEBHOOK_EVENT_SOURCES, isArray: true }) sources!: string[];
  @ApiProperty({ enum: PAYLOAD_FORMATS }) payloadFormat!: string;
  @ApiProperty({
    type: 'object',
    nullable: true,
    description: 'A preset ({ preset }) or a Liquid template ({ body, contentType })',
  })
  template!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'string' } })
  headers!: Record<string, string> | null;
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) disabledReason!: string | null;
  @ApiProperty({ nullable: true, type: Date }) disabledAt!: Date | null;
  @ApiProperty({ description: 'Failed attempts since the last success' })
  consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: Date }) failingSince!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastSuccessAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastTestSucceededAt!: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'Until when the previous secret still signs',
  })
  previousSecretExpiresAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class CreatedSubscriptionResponseDto extends SubscriptionResponseDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Signing secret (Standard Webhooks)',
  })
  secret!: string;
}

export class SubscriptionPageDto {
  @ApiProperty({ type: [SubscriptionResponseDto] }) data!: SubscriptionResponseDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

export class AttemptResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() attemptNumber!: number;
  @ApiProperty({ enum: ATTEMPT_TRIGGERS }) trigger!: string;
  @ApiProperty({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, enum: ATTEMPT_ERROR_KINDS }) errorKind!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Start of the response body' })
  responseExcerpt!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class DeliveryResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Sent as webhook-id' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'contact.subscribed' }) eventType!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty() attemptCount!: number;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastAttemptAt!: Date | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ type: [AttemptResponseDto] }) attempts!: AttemptResponseDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryResponseDto] }) data!: DeliveryResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class SecretResponseDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret!: string;
}

export class RotatedSecretResponseDto extends SecretResponseDto {
  @ApiProperty() previousSecretExpiresAt!: Date;
}

export class TestDeliveryResponseDto {
  @ApiProperty() delivered!: boolean;
  @ApiProperty({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiPropertyOptional({ example: 'receiver answered 500' }) error?: string;
}

export class VerifyResponseDto extends TestDeliveryResponseDto {
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES }) status!: string;
}

export class RedeliverResponseDto {
  @ApiProperty({ format: 'uuid' }) deliveryId!: string;
  @ApiProperty({ description: 'The attempt number queued' }) attempt!: number;
  @ApiProperty({
    description:
      'True when that attempt was queued already (by a concurrent redelivery or a retry): it is brought forward, not sent twice',
  })
  merged!: boolean;
}

export class RecoverResponseDto {
  @ApiProperty() requeued!: number;
}

export class PreviewResponseDto {
  @ApiProperty({ example: 'application/json' }) contentType!: string;
  @ApiProperty({ description: 'The body exactly as it would be sent (and signed)' }) body!: string;
  @ApiPropertyOptional({ description: "With a filter: whether the sample event's data passes it" })
  filterMatches?: boolean;
}
