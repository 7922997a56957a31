import { isIPv4, isIPv6 } from 'node:net';

/**
 * The customer's local policy: which hosts, networks and ports this agent may reach. Entries are
 * host names (`db.internal`), wildcards (`*.corp.example`, `*` for any host), IP addresses and
 * CIDRs (`10.0.0.0/8`, `fd00::/8`), each optionally with a port (`db.internal:5432`,
 * `10.0.0.0/8:443`, `[fd00::/8]:443`). Deny wins; an empty allow list allows all that is not
 * denied; cloud metadata addresses are denied unless `allowCloudMetadata` is set.
 */
export interface PolicyConfig {
  allow: string[];
  deny: string[];
  allowCloudMetadata: boolean;
}

type Pattern =
  | { kind: 'any' }
  | { kind: 'host'; name: string }
  | { kind: 'suffix'; suffix: string }
  | { kind: 'network'; bytes: Uint8Array; prefix: number };

interface Rule {
  text: string;
  pattern: Pattern;
  port?: number;
}

export interface Policy {
  allow: Rule[];
  deny: Rule[];
  metadata: Rule[];
}

/** Credential endpoints of cloud providers (AWS, GCP, Azure, Oracle, Alibaba; AWS IPv6; ECS tasks). */
export const CLOUD_METADATA = [
  '169.254.169.254',
  'fd00:ec2::254',
  '100.100.100.200',
  '169.254.170.2',
  'metadata.google.internal',
];

export interface Target {
  host: string;
  port: number;
}

export function compilePolicy(config: PolicyConfig): Policy {
  return {
    allow: config.allow.map(parseRule),
    deny: config.deny.map(parseRule),
    metadata: config.allowCloudMetadata ? [] : CLOUD_METADATA.map(parseRule),
  };
}

/** Why `target`, resolved to `addresses`, is refused; null when it is allowed. */
export function refusal(policy: Policy, target: Target, addresses: readonly string[]): string | null {
  const where = `${target.host}:${target.port}`;
  const resolved = addresses.filter((address) => address !== target.host);
  const via = resolved.length ? ` (${resolved.join(', ')})` : '';
  const metadata = policy.metadata.find((rule) => matchesAny(rule, target, addresses));
  if (metadata) return `${where}${via} is a cloud metadata address`;
  const denied = policy.deny.find((rule) => matchesAny(rule, target, addresses));
  if (denied) return `${where}${via} matches the deny entry "${denied.text}"`;
  if (policy.allow.length === 0) return null;
  if (policy.allow.some((rule) => rule.pattern.kind !== 'network' && matchesName(rule, target))) return null;
  const outside = addresses.find(
    (address) => !policy.allow.some((rule) => matchesAddress(rule, target, address)),
  );
  if (outside === undefined && addresses.length > 0) return null;
  return `${where}${via} is not in the allow list`;
}

/** Throws with a readable message for an entry that is not a host, wildcard, address or CIDR. */
export function parseRule(text: string): Rule {
  const trimmed = text.trim().toLowerCase();
  let body = trimmed;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    body = bracketed[1] ?? '';
    port = bracketed[2] === undefined ? undefined : parsePort(bracketed[2], text);
  } else if (!body.includes('::') && (body.match(/:/g)?.length ?? 0) === 1) {
    const at = body.lastIndexOf(':');
    port = parsePort(body.slice(at + 1), text);
    body = body.slice(0, at);
  }
  return { text, pattern: parsePattern(body, text), ...(port === undefined ? {} : { port }) };
}

function parsePattern(body: string, text: string): Pattern {
  if (body === '*') return { kind: 'any' };
  const [address, prefixText, extra] = body.split('/');
  if (address !== undefined && extra === undefined && (isIPv4(address) || isIPv6(address))) {
    const bytes = addressBytes(address);
    const bits = bytes.length * 8;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || !/^\d*$/.test(prefixText ?? ''))
      throw new Error(`"${text}": the prefix length must be 0 to ${bits}`);
    return { kind: 'network', bytes, prefix };
  }
  const name = body.replace(/\.$/, '');
  if (name.startsWith('*.') && isHostName(name.slice(2))) return { kind: 'suffix', suffix: name.slice(1) };
  if (isHostName(name)) return { kind: 'host', name };
  throw new Error(`"${text}" is not a host name, *.wildcard, IP address or CIDR (with an optional :port)`);
}

function parsePort(text: string, entry: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535)
    throw new Error(`"${entry}": the port must be 1 to 65535`);
  return port;
}

function isHostName(name: string): boolean {
  return /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(
    name,
  );
}

function matchesAny(rule: Rule, target: Target, addresses: readonly string[]): boolean {
  return matchesName(rule, target) || addresses.some((address) => matchesAddress(rule, target, address));
}

function matchesName(rule: Rule, target: Target): boolean {
  if (rule.port !== undefined && rule.port !== target.port) return false;
  const host = target.host.toLowerCase().replace(/\.$/, '');
  switch (rule.pattern.kind) {
    case 'any':
      return true;
    case 'host':
      return host === rule.pattern.name;
    case 'suffix':
      return host.endsWith(rule.pattern.suffix);
    case 'network':
      return (isIPv4(host) || isIPv6(host)) && inNetwork(rule.pattern, host);
  }
}

function matchesAddress(rule: Rule, target: Target, address: string): boolean {
  if (rule.port !== undefined && rule.port !== target.port) return false;
  if (rule.pattern.kind === 'any') return true;
  return rule.pattern.kind === 'network' && inNetwork(rule.pattern, address);
}

function inNetwork(network: { bytes: Uint8Array; prefix: number }, address: string): boolean {
  const bytes = addressBytes(address);
  if (bytes.length !== network.bytes.length) return false;
  for (let bit = 0; bit < network.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((bytes[bit >> 3] ?? 0) & mask) !== ((network.bytes[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * 4 bytes for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address (`::ffff:169.254.169.254`) is its
 * IPv4 address, so that it cannot slip past an IPv4 rule. A zone (`%eth0`) is ignored.
 */
export function addressBytes(address: string): Uint8Array {
  const plain = address.replace(/%.*$/, '');
  if (isIPv4(plain)) return Uint8Array.from(plain.split('.').map(Number));
  if (!isIPv6(plain)) throw new Error(`"${address}" is not an IP address`);
  const bytes = ipv6Bytes(plain);
  const mapped =
    bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

function ipv6Bytes(address: string): Uint8Array {
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups (`::ffff:102:304`).
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_match, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(':'),
  );
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const left = parse(head);
  const right = parse(rest ?? '');
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}
