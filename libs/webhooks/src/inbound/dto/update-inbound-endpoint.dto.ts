import { PartialType } from '../../openapi/optional-swagger';
import { CreateInboundEndpointDto } from './create-inbound-endpoint.dto';

export class UpdateInboundEndpointDto extends PartialType(CreateInboundEndpointDto) {}
