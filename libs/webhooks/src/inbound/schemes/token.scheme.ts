import { randomBytes } from 'node:crypto';
import { sameText, type BuiltInInboundScheme } from './inbound-scheme';

const DEFAULT_TOKEN_HEADER = 'x-webhook-token';
const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

/**
 * A shared token for senders that cannot sign: the header named by `settings.header` (default
 * `X-Webhook-Token`) carries the secret; in `Authorization`, as `Bearer <secret>`. It proves who
 * sent the request, not that the body is intact: prefer a signature where the sender has one.
 */
export const tokenScheme: BuiltInInboundScheme = {
  name: 'token',
  verify(request) {
    const name = (request.settings.header ?? DEFAULT_TOKEN_HEADER).toLowerCase();
    const raw = request.headers[name];
    if (!raw) return false;
    const given = name === 'authorization' ? (/^Bearer\s+(.+)$/i.exec(raw)?.[1] ?? '') : raw;
    let matched = false;
    for (const secret of request.secrets) if (sameText(secret, given)) matched = true;
    return matched;
  },
  settingsProblems(settings) {
    const problems: string[] = [];
    if (settings.header !== undefined && !HEADER_NAME.test(settings.header)) {
      problems.push('settings.header must be a header name');
    }
    for (const field of Object.keys(settings)) {
      if (field !== 'header') problems.push(`settings.${field} is not a setting of scheme token`);
    }
    return problems;
  },
};

/** HTTP Basic auth for senders that cannot sign: the secret is `user:password`. */
export const basicAuthScheme: BuiltInInboundScheme = {
  name: 'basic',
  verify(request) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1], 'base64').toString('utf8');
    let matched = false;
    for (const secret of request.secrets) if (sameText(secret, given)) matched = true;
    return matched;
  },
  settingsProblems: (settings) =>
    Object.keys(settings).map((field) => `settings.${field} is not a setting of scheme basic`),
  secretProblem: (secret) =>
    /^[^:]+:.+$/.test(secret) ? null : 'secret must be user:password for scheme basic',
  generateSecret: () => `webhooks:${randomBytes(24).toString('base64url')}`,
};
