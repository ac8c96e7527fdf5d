import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** The only address class a webhook may reach without the operator's allow-list: public unicast. */
const PUBLIC_RANGE = 'unicast';

/**
 * IPv6 global unicast, the only block IANA allocates (RFC 4291). ipaddr.js calls everything it has
 * no name for `unicast`, including the deprecated IPv4-compatible `::a.b.c.d` (`[::169.254.169.254]`).
 */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/** Names that lead to the host itself or to cloud metadata services, whatever DNS says. */
const FORBIDDEN_NAMES = new Set(['localhost', 'metadata', 'metadata.goog', 'metadata.google.internal', 'instance-data', 'kubernetes.default']);

/** Suffixes of names that are never public: loopback, mDNS, cloud-internal zones. */
const FORBIDDEN_SUFFIXES = ['.localhost', '.local', '.internal', '.metadata.goog', '.svc', '.cluster.local'];

/** A parsed allow-list: exact host names, `*.suffix` names, and CIDRs. */
interface AllowList {
  hosts: Set<string>;
  suffixes: string[];
  cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

/**
 * Decides which webhook targets the service may connect to. Only public unicast addresses
 * (IPv4 and IPv6) are allowed: private, loopback, link-local (incl. 169.254.169.254), unique-local
 * (incl. fd00:ec2::254), CGNAT, multicast, broadcast, unspecified, reserved, IPv4-mapped and other
 * IPv4-embedding IPv6 ranges, and any IPv6 address outside global unicast 2000::/3 are refused, as are names like `localhost` or
 * `metadata.google.internal`. The operator's allow-list (`MQ_WEBHOOK_ALLOW`: host names,
 * `*.suffix` names, CIDRs) admits exceptions such as a local receiver.
 */
export class WebhookAddressPolicy {
  private readonly allow: AllowList;

  constructor(allowList: readonly string[]) {
    this.allow = parseAllowList(allowList);
  }

  /** Whether the operator admitted this host name (its addresses are then not checked). */
  allowsHost(hostname: string): boolean {
    const host = normalizeHost(hostname);
    return this.allow.hosts.has(host) || this.allow.suffixes.some(s => host.endsWith(s));
  }

  /** Why a host name is refused before any DNS lookup, or undefined. IP literals are judged by `addressProblem`. */
  nameProblem(hostname: string): string | undefined {
    const host = normalizeHost(hostname);
    if (isIP(host) || this.allowsHost(host)) return undefined;
    if (!host || FORBIDDEN_NAMES.has(host) || FORBIDDEN_SUFFIXES.some(s => host.endsWith(s))) return `the host "${host}" is not a public name`;
    // A name of digits and dots (or hex) that is not a valid dotted quad would be read as an address by some resolvers.
    if (/^[0-9.]+$/.test(host) || /^0x[0-9a-f]+$/i.test(host)) return `"${host}" is not a valid address`;
    return undefined;
  }

  /** Why an address is refused, or undefined when it is public unicast or allow-listed. */
  addressProblem(address: string): string | undefined {
    const host = normalizeHost(address);
    if (!ipaddr.isValid(host)) return `"${host}" is not an IP address`;
    const ip = ipaddr.parse(host);
    if (this.allow.cidrs.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))) return undefined;
    const range = ip.range();
    if (range !== PUBLIC_RANGE) return `the address is ${describe(range)}`;
    if (ip.kind() === 'ipv6' && !ip.match(IPV6_GLOBAL_UNICAST)) return 'the address is outside IPv6 global unicast (2000::/3), not public';
    return undefined;
  }
}

/** Lower-case, without IPv6 brackets or a trailing dot. */
export function normalizeHost(hostname: string): string {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

function parseAllowList(entries: readonly string[]): AllowList {
  const allow: AllowList = { hosts: new Set(), suffixes: [], cidrs: [] };
  for (const raw of entries) {
    const entry = normalizeHost(raw);
    if (entry.includes('/')) {
      allow.cidrs.push(ipaddr.parseCIDR(entry));
    } else if (ipaddr.isValid(entry) && isIP(entry)) {
      const ip = ipaddr.parse(entry);
      allow.cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (entry.startsWith('*.')) {
      allow.suffixes.push(entry.slice(1));
    } else if (entry) {
      allow.hosts.add(entry);
    }
  }
  return allow;
}

function describe(range: string): string {
  const names: Record<string, string> = {
    private: 'private',
    loopback: 'loopback',
    linkLocal: 'link-local (cloud metadata lives there)',
    uniqueLocal: 'unique-local',
    carrierGradeNat: 'carrier-grade NAT',
    multicast: 'multicast',
    broadcast: 'broadcast',
    unspecified: 'unspecified',
    ipv4Mapped: 'an IPv4-mapped IPv6 address',
  };
  return `${names[range] ?? `reserved (${range})`}, not public`;
}
