import ipaddr from 'ipaddr.js';

/**
 * Names that never point at a public receiver: special-use (RFC 6761, 6762, 7686, 8375, 9476), the
 * `.internal` TLD reserved for private use, and top-level names private networks use that were never
 * delegated. A receiver under one of them can only be on the platform's side of the network.
 */
const SPECIAL_USE_SUFFIXES = [
  'localhost',
  'localdomain',
  'local',
  'internal',
  'arpa',
  'invalid',
  'test',
  'example',
  'onion',
  'alt',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
];

/** Public names that answer with loopback for themselves and every name under them. */
const LOOPBACK_NAMES = ['localtest.me', 'lvh.me', 'vcap.me', 'localho.st'];

/**
 * Wildcard-DNS services: `<address>.nip.io` resolves to the address written in it. Their hex and
 * IPv6 spellings are read only under these names; elsewhere an 8-hex-digit label is more often a hash.
 */
const WILDCARD_DNS_SERVICES = ['nip.io', 'sslip.io', 'xip.io', 'traefik.me', 'backname.io'];

/** IPv6 ranges that reach the host's own networks when written into a name. */
const LOCAL_V6_RANGES = new Set(['loopback', 'unspecified', 'linkLocal', 'uniqueLocal']);

function isUnder(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}

/** Whether the (normalized) host name is special-use or always resolves to loopback. */
export function isSpecialUseName(host: string): boolean {
  const tld = host.slice(host.lastIndexOf('.') + 1);
  return SPECIAL_USE_SUFFIXES.includes(tld) || LOOPBACK_NAMES.some((name) => isUnder(host, name));
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|0?\d?\d)$/;
const HEX_ADDRESS = /^[0-9a-f]{8}$/;

/**
 * IP addresses written into a host name the way wildcard-DNS services read them: dotted or dashed
 * decimal anywhere (`127.0.0.1.nip.io`, `app-10-0-0-1.example.com`); hex (`magic-7f000001.nip.io`)
 * and dashed IPv6 (`--1.sslip.io`, `fe80--1.sslip.io`) under the known services. IPv6 found this way
 * is returned only when it is local (loopback, link-local, ULA…), so that a label such as `be--ef`
 * is not mistaken for a public address.
 */
export function embeddedAddresses(host: string): string[] {
  const found: string[] = [];
  const tokens = host.split(/[.-]/);
  for (let start = 0; start + 4 <= tokens.length; start++) {
    const quad = tokens.slice(start, start + 4);
    if (quad.every((token) => OCTET.test(token))) found.push(quad.map(Number).join('.'));
  }
  const service = WILDCARD_DNS_SERVICES.find((name) => isUnder(host, name));
  if (!service) return found;
  const labels = host.slice(0, -service.length).split('.').filter(Boolean);
  for (const token of labels.flatMap((label) => label.split('-'))) {
    if (HEX_ADDRESS.test(token)) {
      const bytes = [0, 2, 4, 6].map((at) => parseInt(token.slice(at, at + 2), 16));
      found.push(bytes.join('.'));
    }
  }
  for (const label of labels.filter((candidate) => candidate.includes('--'))) {
    for (const candidate of hyphenSuffixes(label)) {
      const spelled = candidate.replace(/-/g, ':');
      if (!ipaddr.IPv6.isValid(spelled)) continue;
      const v6 = ipaddr.IPv6.parse(spelled);
      const mapped = v6.isIPv4MappedAddress();
      if (mapped || LOCAL_V6_RANGES.has(v6.range())) found.push(v6.toString());
    }
  }
  return found;
}

/** `a-b--1`, `b--1`, `-1`, `1`: where a prefixed IPv6 spelling (`www-fe80--1`) may start. */
function hyphenSuffixes(label: string): string[] {
  const suffixes = [label];
  for (let index = label.indexOf('-'); index !== -1; index = label.indexOf('-', index + 1)) {
    suffixes.push(label.slice(index + 1));
  }
  return suffixes;
}
