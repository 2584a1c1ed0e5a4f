import ipaddr from 'ipaddr.js';

export interface UrlPolicy {
  allowPrivateNetworks: boolean;
}

export type UrlCheck = { allowed: true; url: URL } | { allowed: false; reason: string };

/** Whether an IP address is a public unicast address (not loopback, private, link-local, reserved…). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

function bareHostname(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Static check of a receiver URL, at subscription time and again before each send. Addresses that a
 * hostname resolves to are checked at connect time by the HTTP sender.
 */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { allowed: false, reason: 'only http and https URLs are accepted' };
  }
  if (url.username || url.password) {
    return { allowed: false, reason: 'credentials in the URL are not accepted' };
  }
  const host = bareHostname(url.hostname);
  if (!host) return { allowed: false, reason: 'host is missing' };
  if (policy.allowPrivateNetworks) return { allowed: true, url };
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { allowed: false, reason: 'loopback hosts are not accepted' };
  }
  if (ipaddr.isValid(host) && !isPublicAddress(host)) {
    return { allowed: false, reason: 'private, loopback and reserved addresses are not accepted' };
  }
  return { allowed: true, url };
}
