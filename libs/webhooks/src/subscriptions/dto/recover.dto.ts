import { IsISO8601 } from 'class-validator';

export class RecoverDto {
  /** Retry every failed or exhausted delivery created at or after this time (ISO 8601). */
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since!: string;
}
