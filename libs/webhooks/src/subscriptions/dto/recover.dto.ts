import { ApiProperty } from '../../openapi/optional-swagger';
import { IsDateTime } from './is-date-time.validator';

export class RecoverDto {
  /** Retry every failed or exhausted delivery created at or after this time (ISO 8601). */
  @ApiProperty({ format: 'date-time', example: '2026-11-23T00:00:00Z' })
  @IsDateTime({
    message:
      'since must be an ISO 8601 date-time like 2026-11-23T00:00:00Z (or a date: 2026-11-23)',
  })
  since!: string;
}
