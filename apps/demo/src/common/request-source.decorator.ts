import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import {
  readRequestSource,
  type ManagementSource,
  type RequestWithSource,
} from './request-source.guard';

/** `admin` or `api`, as resolved by RequestSourceGuard for this request. */
export const RequestSource = createParamDecorator(
  (_: unknown, context: ExecutionContext): ManagementSource =>
    readRequestSource(context.switchToHttp().getRequest<RequestWithSource>()),
);
