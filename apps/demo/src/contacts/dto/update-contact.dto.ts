import { IsEmail, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsContactFields, type ContactFieldsInput } from '../../common/flat-fields.validator';
import { NormalizeEmail, Trim } from '../../common/string.transforms';

/** What a contact may change on their own profile: names (`null` clears) and fields (merged). */
export class UpdateProfileDto {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  firstName?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  lastName?: string | null;

  /** Merged into the current fields: a given value replaces, `null` removes. */
  @IsOptional()
  @IsContactFields()
  fields?: ContactFieldsInput;
}

/** Admin / API update: the profile plus the address. */
export class UpdateContactDto extends UpdateProfileDto {
  // Not @IsOptional(): that would let `null` through, and a contact cannot lose its address.
  @ValidateIf((_: unknown, value: unknown) => value !== undefined)
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email?: string;
}
