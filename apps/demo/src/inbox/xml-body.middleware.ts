import {
  BadRequestException,
  Injectable,
  type NestMiddleware,
  PayloadTooLargeException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request, Response } from 'express';

/** As much as Express's JSON parser takes by default. */
const LIMIT_BYTES = 100 * 1024;
const XML = /^(?:application|text)\/(?:[\w.+-]+\+)?xml\s*(?:;|$)/i;

/**
 * Keeps an XML body's exact bytes in `rawBody`, as `rawBody: true` does for JSON and forms (Express
 * parses no XML, so they would be left unread): the signature is checked over them.
 */
@Injectable()
export class XmlBodyMiddleware implements NestMiddleware {
  use(
    request: RawBodyRequest<Request>,
    _response: Response,
    next: (error?: unknown) => void,
  ): void {
    if (request.rawBody !== undefined || !XML.test(request.headers['content-type'] ?? '')) {
      return next();
    }
    if (Number(request.headers['content-length']) > LIMIT_BYTES) {
      return next(new PayloadTooLargeException());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      next(error);
    };
    request.on('data', (chunk: Buffer) => {
      if (done) return; // too large: the rest is read and dropped
      size += chunk.length;
      if (size > LIMIT_BYTES) return finish(new PayloadTooLargeException());
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (done) return;
      request.rawBody = Buffer.concat(chunks);
      finish();
    });
    request.on('error', () => finish(new BadRequestException('the body could not be read')));
  }
}
