import {
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Post,
  Req,
  Sse,
  UnauthorizedException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request } from 'express';
import { map, type Observable } from 'rxjs';
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

  /**
   * Server-Sent Events: the kept entries, oldest first, then each one as it arrives. An EventSource
   * that reconnects sends the id of the last entry it got, and gets only the newer ones.
   */
  @Sse('stream')
  stream(@Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
    return this.inbox
      .stream(readEntryId(lastEventId))
      .pipe(map((entry) => ({ id: String(entry.id), data: entry })));
  }
}

function readEntryId(value: string | undefined): number {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : 0;
}
