import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsId } from '../../common/id-params.dto';
import { NormalizeEmail, Trim } from '../../common/string.transforms';

/** What a mail provider reports about an address it could not deliver to. */
export class ReportBounceDto {
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email!: string;

  @IsId()
  listId!: number;

  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;

  @IsOptional()
  @IsId()
  campaignId?: number;
}
