import { afterPrefix, anySecretSigned, isFresh, type BuiltInInboundScheme } from './inbound-scheme';

export const HMAC_ALGORITHMS = ['sha256', 'sha512', 'sha1'] as const;
export const HMAC_ENCODINGS = ['hex', 'base64'] as const;
export const HMAC_SIGNED_CONTENTS = ['body', 'timestamp.body'] as const;
const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

/**
 * A configurable HMAC for senders with a scheme of their own. Settings: `header` (required),
 * `algorithm` (`sha256`, `sha512`, `sha1`), `encoding` (`hex`, `base64`), `prefix` (e.g. `sha256=`),
 * `signed` (`body`, or `timestamp.body` with `timestampHeader` in seconds, checked for freshness),
 * and `idHeader` / `typeHeader` naming the headers that carry the event's id and type.
 */
export const hmacScheme: BuiltInInboundScheme = {
  name: 'hmac',
  verify(request) {
    const { settings, headers } = request;
    const given = afterPrefix(headers[settings.header.toLowerCase()], settings.prefix ?? '');
    const options = {
      algorithm: settings.algorithm ?? 'sha256',
      encoding: (settings.encoding ?? 'hex') as 'hex' | 'base64',
    };
    if (settings.signed !== 'timestamp.body') {
      return anySecretSigned(request, given, options, request.body);
    }
    const timestamp = headers[settings.timestampHeader.toLowerCase()];
    return (
      isFresh(timestamp, request) &&
      anySecretSigned(request, given, options, `${timestamp}.`, request.body)
    );
  },
  identify: ({ headers, settings }) => ({
    id: settings.idHeader ? (headers[settings.idHeader.toLowerCase()] ?? null) : null,
    type: settings.typeHeader ? (headers[settings.typeHeader.toLowerCase()] ?? null) : null,
  }),
  settingsProblems(settings) {
    const problems: string[] = [];
    const oneOf = (field: string, allowed: readonly string[]) => {
      if (settings[field] !== undefined && !allowed.includes(settings[field])) {
        problems.push(`settings.${field} must be one of: ${allowed.join(', ')}`);
      }
    };
    const header = (field: string, required: boolean) => {
      const value = settings[field];
      if (value === undefined ? required : !HEADER_NAME.test(value)) {
        problems.push(`settings.${field} must be a header name`);
      }
    };
    header('header', true);
    oneOf('algorithm', HMAC_ALGORITHMS);
    oneOf('encoding', HMAC_ENCODINGS);
    oneOf('signed', HMAC_SIGNED_CONTENTS);
    header('timestampHeader', settings.signed === 'timestamp.body');
    header('idHeader', false);
    header('typeHeader', false);
    if (settings.prefix !== undefined && settings.prefix.length > 32) {
      problems.push('settings.prefix must be at most 32 characters');
    }
    const known = [
      'header',
      'algorithm',
      'encoding',
      'prefix',
      'signed',
      'timestampHeader',
      'idHeader',
      'typeHeader',
    ];
    for (const field of Object.keys(settings)) {
      if (!known.includes(field))
        problems.push(`settings.${field} is not a setting of scheme hmac`);
    }
    return problems;
  },
};
