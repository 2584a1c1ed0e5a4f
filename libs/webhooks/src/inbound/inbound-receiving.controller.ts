import {
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { ApiExcludeController } from '../openapi/optional-swagger';
import { InboundReceiver } from './inbound-receiver';
import { readRawBody, singleValuedHeaders, type ReceivedRequest } from './raw-body';

/** Answers carry no detail: a sender learns only that it was taken, refused or not found. */
const refused = (status: HttpStatus) => new HttpException('', status);
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The public receiving URL of inbound endpoints, `POST /webhooks/in/:token`: no admin guard (the
 * signature is the authentication). 200 once the event is stored (or was already), 401 when it does
 * not verify, 404 for no endpoint, 413 over `inbound.maxBodyBytes`.
 */
@ApiExcludeController()
@Controller('webhooks/in')
export class InboundReceivingController {
  private readonly logger = new Logger('WebhooksInbound');
  private warnedUnavailable = false;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly receiver: InboundReceiver,
  ) {}

  @Post(':token')
  @HttpCode(HttpStatus.OK)
  async receive(
    @Param('token') token: string,
    @Req() request: ReceivedRequest,
  ): Promise<{ received: true }> {
    const endpoint = TOKEN.test(token) ? await this.receiver.findEndpoint(token) : null;
    if (!endpoint) throw refused(HttpStatus.NOT_FOUND);
    const body = await readRawBody(request, this.options.inboundMaxBodyBytes);
    if (body.kind === 'too_large') {
      this.receiver.refuseTooLarge(endpoint);
      throw refused(HttpStatus.PAYLOAD_TOO_LARGE);
    }
    if (body.kind === 'unavailable') {
      this.warnUnavailable();
      throw refused(HttpStatus.INTERNAL_SERVER_ERROR);
    }
    const outcome = await this.receiver.receive(endpoint, body.bytes, singleValuedHeaders(request));
    if (outcome === 'rejected') throw refused(HttpStatus.UNAUTHORIZED);
    return { received: true };
  }

  private warnUnavailable(): void {
    if (this.warnedUnavailable) return;
    this.warnedUnavailable = true;
    this.logger.error(
      'Inbound webhooks cannot be verified: the body parser consumed the request without keeping ' +
        'its bytes. Create the app with NestFactory.create(AppModule, { rawBody: true }).',
    );
  }
}
