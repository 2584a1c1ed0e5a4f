import { IsISO8601 } from 'class-validator';
import { ApiProperty } from '../../openapi/optional-swagger';

export class RecoverDto {
  /** Retry every failed or exhausted delivery created at or after this time (ISO 8601). */
  @ApiProperty({ format: 'date-time', example: '2026-11-23T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since!: string;
}
