import { IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { IsId } from '../../common/id-params.dto';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export class TokenParamsDto {
  @IsString()
  @Matches(TOKEN_PATTERN, { message: 'token is not a valid link token' })
  token!: string;
}

export class TrackingParamsDto extends TokenParamsDto {
  @IsId()
  campaignId!: number;
}

export class ClickQueryDto {
  // Anything but http(s) (javascript:, data:, file:…) must never be redirected to.
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an absolute http or https URL' },
  )
  @MaxLength(2048)
  url!: string;
}
