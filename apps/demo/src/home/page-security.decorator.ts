import { applyDecorators, Header } from '@nestjs/common';

/**
 * Nothing inline and nothing from elsewhere: the pages load their own script and stylesheet, call
 * the demo's routes, and frame only the demo's own portal page. No other site may frame them.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  // Each load makes a new portal session: a page kept in a cache would reuse one.
  'Cache-Control': 'no-store',
  'Content-Security-Policy': PAGE_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** The headers of an HTML page of the demo. */
export const HtmlPage = (): MethodDecorator =>
  applyDecorators(...Object.entries(PAGE_HEADERS).map(([name, value]) => Header(name, value)));
