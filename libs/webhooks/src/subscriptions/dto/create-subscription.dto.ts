import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';
import { WEBHOOK_EVENT_SOURCES, type WebhookEventSource } from '../../catalogue/event-catalogue';
import { ApiProperty, ApiPropertyOptional } from '../../openapi/optional-swagger';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../storage/entities/subscription.entity';
import type { ContentFilter } from '../../filters/content-filter';
import type { WebhookTemplate } from '../../templates/webhook-template';
import { IsContentFilter } from './is-content-filter.validator';
import { IsWebhookTemplate } from './is-webhook-template.validator';
import { IsCustomHeaders } from './is-custom-headers.validator';

export const MAX_URL_LENGTH = 2048;
export const MAX_EVENTS_PER_SUBSCRIPTION = 100;
/** Deliveries per second: above that, one endpoint's limit is no limit at all on one worker. */
export const MAX_RATE_LIMIT = 1_000;

export class CreateSubscriptionDto {
  @ApiProperty({
    description: 'Receiver URL (http or https, public unless allow-listed)',
    example: 'https://hooks.example.com/marketing',
    maxLength: MAX_URL_LENGTH,
  })
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      require_host: true,
    },
    { message: 'url must be an absolute http or https URL' },
  )
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  /** Event types, e.g. `['contact.subscribed']`. Unknown types are refused by the service. */
  @ApiProperty({
    type: [String],
    description: 'Event types (see GET /webhooks/event-types)',
    example: ['contact.subscribed'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_EVENTS_PER_SUBSCRIPTION)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  events!: string[];

  /** Who caused the event. Default: all four sources. */
  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_SOURCES,
    isArray: true,
    description: 'Who caused the event. Default: all four',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_SOURCES, {
    each: true,
    message: `each value in sources must be one of: ${WEBHOOK_EVENT_SOURCES.join(', ')}`,
  })
  sources?: WebhookEventSource[];

  @ApiPropertyOptional({ maxLength: 200, example: 'CRM sync' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /** `json` (default), `form` (application/x-www-form-urlencoded with bracketed keys) or `xml`. */
  @ApiPropertyOptional({
    enum: PAYLOAD_FORMATS,
    description: 'json (default), form (bracketed keys) or xml',
  })
  @IsOptional()
  @IsIn(PAYLOAD_FORMATS, { message: `payloadFormat must be one of: ${PAYLOAD_FORMATS.join(', ')}` })
  payloadFormat?: PayloadFormat;

  /** Static headers sent with every delivery, e.g. `{ "Authorization": "Bearer …" }`. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Static headers sent with every delivery (at most 10; no hop-by-hop or signature headers)',
    example: { Authorization: 'Bearer receiver-token' },
  })
  @IsOptional()
  @IsCustomHeaders()
  headers?: Record<string, string>;

  /** Send this instead of the envelope: a chat tool's preset, or a Liquid template (`null` removes it). */
  @ApiPropertyOptional({
    type: 'object',
    description:
      'A preset ({ "preset": "slack" | "teams" | "discord" | "google-chat" }) or a Liquid template ({ "body", "contentType"? }) rendered with `event` and `message`',
    example: { preset: 'slack' },
  })
  @IsOptional()
  @IsWebhookTemplate()
  template?: WebhookTemplate | null;

  /** Only events whose data matches (MongoDB's query syntax, a subset; `null` removes it). */
  @ApiPropertyOptional({
    type: 'object',
    description:
      'Deliver only events whose data matches: MongoDB query syntax over data ($eq, $ne, $in, $nin, $all, $gt, $gte, $lt, $lte, $exists, $not, $and, $or, $nor); see docs/filters.md',
    example: { 'contact.tags': { $in: ['vip', 'beta'] }, 'contact.fields.country': 'IT' },
  })
  @IsOptional()
  @IsContentFilter()
  filter?: ContentFilter | null;

  /** At most this many deliveries per second; more wait their turn, never fail (`null` removes it). */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_RATE_LIMIT,
    nullable: true,
    description:
      'At most this many deliveries per second to this endpoint, across every worker; deliveries over it wait (null: no limit)',
    example: 10,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT)
  rateLimit?: number | null;
}
