import ipaddr from 'ipaddr.js';
import { embeddedAddresses, isSpecialUseName } from './special-use-names';

export interface UrlPolicy {
  /** Allow every private, loopback and reserved address (development and tests only). */
  allowPrivateNetworks: boolean;
  /** Refuse plain `http:` receivers. */
  httpsOnly: boolean;
  /** CIDRs, addresses or host names allowed even though they are not public. */
  allowedTargets: readonly string[];
}

export type UrlCheck =
  { allowed: true; url: URL; host: string } | { allowed: false; reason: string };

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Only these IPv6 blocks are global unicast; everything else (ULA, link-local, NAT64, 6to4…) is refused. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
/** IPv6 forms that wrap IPv4 or tunnel to it, refused outright: their real target is hard to see. */
const TUNNELLED_V6_RANGES = new Set(['rfc6052', '6to4', 'teredo', 'rfc6145']);
const EXTRA_BLOCKED_V6 = [ipaddr.parseCIDR('64:ff9b:1::/48')];

function unwrapIPv4(address: Address): Address {
  if (address.kind() !== 'ipv6') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  // IPv4-compatible (::a.b.c.d, deprecated): the first 96 bits are zero.
  const parts = v6.parts;
  if (parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7] > 1)) {
    return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  return v6;
}

/** Whether an IP address is public unicast: not loopback, private, link-local, CGNAT, reserved, multicast… */
export function isPublicAddress(raw: string): boolean {
  if (!ipaddr.isValid(raw)) return false;
  const address = unwrapIPv4(ipaddr.parse(raw));
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as ipaddr.IPv6;
  if (TUNNELLED_V6_RANGES.has(v6.range())) return false;
  if (EXTRA_BLOCKED_V6.some((cidr) => v6.match(cidr))) return false;
  return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
}

/** Host name as compared: lower-case, without brackets or a trailing dot. */
export function normalizeHost(hostname: string): string {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return bare.toLowerCase().replace(/\.+$/, '');
}

/** The `allowedTargets` option, parsed once. */
export class TargetAllowList {
  private readonly cidrs: Array<[Address, number]> = [];
  private readonly hosts = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const value = normalizeHost(entry.trim());
      if (value.includes('/')) this.cidrs.push(ipaddr.parseCIDR(value));
      else if (ipaddr.isValid(value)) {
        const address = ipaddr.parse(value);
        this.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (value) this.hosts.add(value);
    }
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(normalizeHost(host));
  }

  allowsAddress(raw: string): boolean {
    if (!ipaddr.isValid(raw)) return false;
    const address = unwrapIPv4(ipaddr.parse(raw));
    return this.cidrs.some(
      ([range, bits]) => range.kind() === address.kind() && address.match(range, bits),
    );
  }
}

/** Whether a resolved or literal address may be connected to under the policy. */
export function isAddressAllowed(
  address: string,
  policy: UrlPolicy,
  allowList: TargetAllowList,
): boolean {
  return (
    policy.allowPrivateNetworks || isPublicAddress(address) || allowList.allowsAddress(address)
  );
}

/**
 * Static check of a receiver URL, at subscription time and again before each send. WHATWG URL parsing
 * already turns decimal, octal, hex and short IPv4 spellings into dotted quads; what a host name
 * resolves to is checked by `UrlGuard.assertAcceptable` and, at connect time, by the HTTP sender.
 */
export function checkWebhookUrl(
  raw: string,
  policy: UrlPolicy,
  allowList = new TargetAllowList(policy.allowedTargets),
): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { allowed: false, reason: 'only http and https URLs are accepted' };
  }
  if (policy.httpsOnly && url.protocol !== 'https:')
    return { allowed: false, reason: 'only https URLs are accepted' };
  if (url.username || url.password)
    return { allowed: false, reason: 'credentials in the URL are not accepted' };
  const host = normalizeHost(url.hostname);
  if (!host) return { allowed: false, reason: 'host is missing' };
  if (policy.allowPrivateNetworks || allowList.allowsHost(host))
    return { allowed: true, url, host };
  if (ipaddr.isValid(host)) {
    return isAddressAllowed(host, policy, allowList)
      ? { allowed: true, url, host }
      : { allowed: false, reason: 'private, loopback and reserved addresses are not accepted' };
  }
  if (!host.includes('.') || isSpecialUseName(host)) {
    return { allowed: false, reason: 'local host names are not accepted' };
  }
  if (embeddedAddresses(host).some((address) => !isAddressAllowed(address, policy, allowList))) {
    return {
      allowed: false,
      reason: 'host names that embed a non-public address are not accepted',
    };
  }
  return { allowed: true, url, host };
}
