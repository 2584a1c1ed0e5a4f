import { PartialType } from '@nestjs/mapped-types';
import { IsIn, IsOptional } from 'class-validator';
import { CreateSubscriptionDto } from './create-subscription.dto';

export const SETTABLE_STATUSES = ['active', 'paused'] as const;

export class UpdateSubscriptionDto extends PartialType(CreateSubscriptionDto) {
  @IsOptional()
  @IsIn(SETTABLE_STATUSES, { message: `status must be one of: ${SETTABLE_STATUSES.join(', ')}` })
  status?: (typeof SETTABLE_STATUSES)[number];
}
