import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  UnauthorizedException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request } from 'express';
import { InboxService, type InboxEntry } from './inbox.service';

/** Where the seeded subscription delivers: see what the library sent with `GET /inbox`. */
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  async receive(@Req() request: RawBodyRequest<Request>): Promise<void> {
    const entry = await this.inbox.receive(request.rawBody, request.headers, request.body);
    if (!entry.verified) {
      throw new UnauthorizedException(`webhook signature not verified: ${entry.error}`);
    }
  }

  @Get()
  list(): InboxEntry[] {
    return this.inbox.list();
  }
}
