import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/string.transforms';

export class CreateListDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}
