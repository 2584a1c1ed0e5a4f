import {
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  NotFoundException,
  Param,
  Post,
  Req,
  Sse,
  UnauthorizedException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request } from 'express';
import { map, type Observable } from 'rxjs';
import { inboxChannel, type InboxChannel } from '../seed/inbox-channels';
import { InboxService, type InboxEntry } from './inbox.service';

/**
 * Where the seeded subscriptions deliver: "Demo inbox" to `POST /inbox`, the others each to their
 * channel's path (`/inbox/slack`, `/inbox/xml`, `/inbox/all-lists`). See what arrived with `GET /inbox`.
 */
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  receive(@Req() request: RawBodyRequest<Request>): Promise<void> {
    return this.record(null, request);
  }

  @Post(':channel')
  @HttpCode(HttpStatus.NO_CONTENT)
  receiveAt(
    @Param('channel') path: string,
    @Req() request: RawBodyRequest<Request>,
  ): Promise<void> {
    const channel = inboxChannel(path);
    if (channel === undefined) throw new NotFoundException('the inbox has no such channel');
    return this.record(channel, request);
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

  private async record(
    channel: InboxChannel | null,
    request: RawBodyRequest<Request>,
  ): Promise<void> {
    const entry = await this.inbox.receive(channel, {
      rawBody: request.rawBody,
      headers: request.headers,
      parsedBody: request.body,
    });
    if (!entry.verified) {
      throw new UnauthorizedException(`webhook signature not verified: ${entry.error}`);
    }
  }
}

function readEntryId(value: string | undefined): number {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : 0;
}
