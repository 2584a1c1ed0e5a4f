import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsContactFields, type ContactFieldsInput } from '../../common/flat-fields.validator';
import { NormalizeEmail, Trim } from '../../common/string.transforms';

/** What the admin UI, an API client or the public form gives to add a contact. */
export class CreateContactDto {
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email!: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  firstName?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  lastName?: string;

  @IsOptional()
  @IsContactFields()
  fields?: ContactFieldsInput;
}
