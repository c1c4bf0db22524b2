/**
 * Where the service may POST a ministry's documents: a registry URL must be `https` and must not name an address
 * inside the service's own network (no server-side request forgery): private, loopback, link-local (the cloud
 * metadata service at 169.254.169.254 and fd00:ec2::254), carrier-grade NAT, multicast, reserved and documentation
 * ranges, in IPv4 and IPv6, and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4).
 *
 * A literal address is checked after the WHATWG URL parser has normalised it, so hex (`0x7f.1`), octal (`0177.0.0.1`)
 * and decimal (`2130706433`) spellings of 127.0.0.1 are caught as what they are. A host NAME cannot be judged here:
 * what it resolves to is checked again at request time (shared/adapters/registry.ts), so a name re-pointed at a
 * private address later (DNS rebinding) is refused then.
 *
 * The local runtime's mock registries listen on http://127.0.0.1: the `local` allowance admits plain `http` to a
 * loopback host and nothing else private; only the local stage ever passes it (never a deployed stage).
 */
import { BlockList, isIP } from 'node:net';

/** Ranges no registry may be in (RFC 6890 special-purpose registries, plus the cloud metadata addresses). */
const forbiddenRanges: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  // IPv4-compatible (deprecated) and the NAT64 and 6to4 prefixes embed an IPv4 address: refused whole.
  ['::', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const forbidden = new BlockList();
for (const [network, prefix, family] of forbiddenRanges) forbidden.addSubnet(network, prefix, family);

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Names that only ever resolve inside a network (or to this host). */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

/** The address family of a literal IP (IPv6 without brackets), or undefined for a host name. */
function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * True when `address` (a literal IP) is one no outgoing request may reach; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is
 * judged as its IPv4 address.
 */
export function isForbiddenAddress(address: string): boolean {
  const family = familyOf(address);
  if (!family) return true;
  return forbidden.check(address, family);
}

/** True when `address` is a loopback address (127.0.0.0/8, ::1). */
export function isLoopbackAddress(address: string): boolean {
  const family = familyOf(address);
  return family !== undefined && loopback.check(address, family);
}

/** How a registry URL may be spelled where it is checked. */
export interface RegistryUrlPolicy {
  /** The local runtime only: plain `http` to a loopback host (its mock registries), nothing else private. */
  allowLocalLoopback: boolean;
}

/**
 * Why `text` may not be a registry URL, or undefined when it may. The literal host is judged after the URL parser's
 * normalisation (`new URL`), which is the form every HTTP client connects to.
 */
export function registryUrlProblem(
  text: string,
  policy: RegistryUrlPolicy = { allowLocalLoopback: false },
): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const local = policy.allowLocalLoopback && (isLoopbackAddress(host) || host.toLowerCase() === 'localhost');
  if (local) return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be http(s)';
  if (url.protocol !== 'https:') return 'must be https';
  if (familyOf(host)) return isForbiddenAddress(host) ? 'must not name a private or reserved address' : undefined;
  if (!host.includes('.') || INTERNAL_NAME.test(host)) return 'must name a public host';
  return undefined;
}
