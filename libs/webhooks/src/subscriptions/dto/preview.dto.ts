import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '../../openapi/optional-swagger';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../storage/entities/subscription.entity';
import type { ContentFilter } from '../../filters/content-filter';
import type { WebhookTemplate } from '../../templates/webhook-template';
import { IsContentFilter } from './is-content-filter.validator';
import { IsWebhookTemplate } from './is-webhook-template.validator';

/** What to render: an event type with its sample data, in a format or through a template. */
export class PreviewDto {
  @ApiProperty({ example: 'contact.subscribed' })
  @IsString()
  @MaxLength(100)
  eventType!: string;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS })
  @IsOptional()
  @IsIn(PAYLOAD_FORMATS, { message: `payloadFormat must be one of: ${PAYLOAD_FORMATS.join(', ')}` })
  payloadFormat?: PayloadFormat;

  @ApiPropertyOptional({ type: 'object', example: { preset: 'slack' } })
  @IsOptional()
  @IsWebhookTemplate()
  template?: WebhookTemplate | null;

  /** Whether the sample would pass this filter is part of the answer. */
  @ApiPropertyOptional({ type: 'object', example: { 'contact.tags': 'vip' } })
  @IsOptional()
  @IsContentFilter()
  filter?: ContentFilter | null;
}
