import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiPropertyOptional } from '../../openapi/optional-swagger';

export class RotateInboundSecretDto {
  /** The new secret the provider issued; generated when absent. */
  @ApiPropertyOptional({ description: 'The new secret the provider issued; generated when absent' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  secret?: string;
}
