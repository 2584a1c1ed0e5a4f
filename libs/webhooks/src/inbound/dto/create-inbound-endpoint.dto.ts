import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '../../openapi/optional-swagger';
import { IsStringRecord } from './is-string-record.validator';

const LIST_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export class CreateInboundEndpointDto {
  @ApiProperty({
    description:
      'How senders are verified: standard-webhooks, stripe, shopify, github, typeform, hmac, token, basic, or a scheme the host added',
    example: 'stripe',
  })
  @IsString()
  @MaxLength(32)
  scheme!: string;

  /** The list the endpoint's events belong to; null or absent: the tenant's. */
  @ApiPropertyOptional({ description: "The host's list id the events belong to", example: '42' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(128)
  @Matches(LIST_ID_PATTERN, { message: 'listId may contain only letters, digits, _ . : -' })
  listId?: string | null;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /**
   * The signing secret the provider gave (Stripe, Shopify: required), or one to share with the
   * sender; generated when absent.
   */
  @ApiPropertyOptional({ description: 'The secret the provider issued; generated when absent' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  secret?: string;

  /** Scheme settings (`hmac`: `header`, `algorithm`, `encoding`, `prefix`, `signed`, …; `token`: `header`). */
  @ApiPropertyOptional({ type: 'object', description: 'Settings of the scheme (hmac, token)' })
  @IsOptional()
  @IsStringRecord()
  settings?: Record<string, string>;
}
