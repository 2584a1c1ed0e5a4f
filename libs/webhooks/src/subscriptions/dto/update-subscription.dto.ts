import { IsIn, IsOptional } from 'class-validator';
import { ApiPropertyOptional, PartialType } from '../../openapi/optional-swagger';
import { CreateSubscriptionDto } from './create-subscription.dto';

export const SETTABLE_STATUSES = ['active', 'paused'] as const;

export class UpdateSubscriptionDto extends PartialType(CreateSubscriptionDto) {
  @ApiPropertyOptional({
    enum: SETTABLE_STATUSES,
    description:
      'paused holds deliveries; active resumes (a disabled subscription needs a successful test first)',
  })
  @IsOptional()
  @IsIn(SETTABLE_STATUSES, { message: `status must be one of: ${SETTABLE_STATUSES.join(', ')}` })
  status?: (typeof SETTABLE_STATUSES)[number];
}
