import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is not on the public internet; `public` when it is. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'unspecified'
  | 'metadata'
  | 'reserved';

/** Credential endpoints of cloud providers: AWS/GCP/Azure/Oracle, ECS tasks, Alibaba, Azure's wire server, AWS IPv6. */
const METADATA = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '168.63.129.16',
  'fd00:ec2::254',
]);

type Range = [prefix: number[], bits: number, kind: AddressKind];

const IPV4_RANGES: Range[] = [
  [[0], 8, 'unspecified'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'cgnat'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link_local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'],
  [[192, 0, 2], 24, 'reserved'],
  [[192, 88, 99], 24, 'reserved'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'],
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
];

const IPV6_RANGES: Range[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'reserved'], // local-use NAT64
  [[0x20, 0x01, 0x00, 0x00], 32, 'reserved'], // Teredo: hides an IPv4 address
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0xfc], 7, 'unique_local'],
  [[0xfe, 0x80], 10, 'link_local'],
  [[0xfe, 0xc0], 10, 'private'], // site-local, deprecated
  [[0xff], 8, 'multicast'],
];

/**
 * An IPv4 address written the ways `inet_aton` (and so many resolvers and clients) read it:
 * 1 to 4 parts, each decimal, octal (`0177`) or hex (`0x7f`), the last filling the remaining
 * bytes (`127.1`, `2130706433`). Null when `text` is not such a literal.
 */
export function legacyIPv4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = Number.parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const bytes = [...values];
  for (let index = lastBytes - 1; index >= 0; index--) bytes.push(Math.floor(last / 2 ** (8 * index)) % 256);
  return bytes.join('.');
}

/** 4 or 16 bytes for an IP address in standard notation (IPv6 with or without brackets or zone). */
export function addressBytes(text: string): Uint8Array | null {
  const address = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return null;
  let head = address;
  let tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    tail = dotted[1].split('.').map(Number);
    head = `${address.slice(0, dotted.index)}:${((tail[0] ?? 0) * 256 + (tail[1] ?? 0)).toString(16)}:${(
      (tail[2] ?? 0) * 256 + (tail[3] ?? 0)
    ).toString(16)}`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined ? leftGroups : [...leftGroups, ...Array(missing).fill('0'), ...rightGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group: string, index: number) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** What kind of address `text` is; IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) counts as that IPv4. */
export function classifyAddress(text: string): AddressKind {
  const bytes = addressBytes(text);
  if (!bytes) return 'reserved';
  return bytes.length === 4 ? classifyIPv4(bytes) : classifyIPv6(bytes);
}

function classifyIPv4(bytes: Uint8Array): AddressKind {
  if (METADATA.has(bytes.join('.'))) return 'metadata';
  return IPV4_RANGES.find(([prefix, bits]) => matches(bytes, prefix, bits))?.[2] ?? 'public';
}

function classifyIPv6(bytes: Uint8Array): AddressKind {
  const zeroes = (from: number, to: number) => bytes.subarray(from, to).every((byte) => byte === 0);
  if (zeroes(0, 16)) return 'unspecified';
  if (zeroes(0, 15) && bytes[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) reach the IPv4 address.
  if (zeroes(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0)))
    return classifyIPv4(bytes.subarray(12));
  // 64:ff9b::/96, NAT64: the gateway reaches the embedded IPv4 address.
  if (matches(bytes, [0x00, 0x64, 0xff, 0x9b], 32) && zeroes(4, 12)) return classifyIPv4(bytes.subarray(12));
  // 2002::/16, 6to4: the embedded IPv4 address is the other end.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    const inner = classifyIPv4(bytes.subarray(2, 6));
    if (inner !== 'public') return inner;
  }
  if (METADATA.has(canonicalIPv6(bytes))) return 'metadata';
  const kind = IPV6_RANGES.find(([prefix, bits]) => matches(bytes, prefix, bits))?.[2];
  if (kind) return kind;
  // Only 2000::/3 is global unicast; the rest is unassigned or special.
  return ((bytes[0] ?? 0) & 0xe0) === 0x20 ? 'public' : 'reserved';
}

function matches(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const index = bit / 8;
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

function canonicalIPv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2)
    groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  return groups
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:::+/, '::');
}

/** Whether `address` lies in the network `cidr` (`10.0.0.0/8`, `fd00::/8`, or a single address). */
export function inNetwork(address: string, cidr: string): boolean {
  const [network = '', prefixText] = cidr.split('/');
  const bytes = addressBytes(address);
  const networkBytes = addressBytes(network);
  if (!bytes || !networkBytes || bytes.length !== networkBytes.length) return false;
  const bits = prefixText === undefined ? bytes.length * 8 : Number(prefixText);
  return matches(bytes, [...networkBytes], bits);
}

/** Throws on an entry that is not an IP address or CIDR. */
export function assertNetwork(cidr: string): void {
  const [network = '', prefixText, extra] = cidr.split('/');
  const bytes = addressBytes(network);
  const bits = prefixText === undefined ? (bytes?.length ?? 0) * 8 : Number(prefixText);
  if (!bytes || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8)
    throw new Error(`"${cidr}" is not an IP address or CIDR`);
}
