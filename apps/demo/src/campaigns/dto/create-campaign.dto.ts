import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/string.transforms';

export class CreateCampaignDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  subject!: string;

  /** Plain text; its http(s) links are tracked when sent. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(50_000)
  body!: string;
}
