import { isIP } from 'node:net';
import { ExecutorError, type RunContext, type Target } from '@outpost/connectors/executor';
import { type AddressKind, classifyAddress, inNetwork, legacyIPv4 } from './addresses.ts';

export const SSRF_MESSAGE =
  "This address is inside a private network, which Outpost's cloud cannot reach: set the connection's Mode to On-premise and pick an agent on that network.";

/**
 * Which private targets a Cloud connection may reach anyway: none (the default), all but cloud
 * metadata (`OUTPOST_ALLOW_PRIVATE_TARGETS=true`, for self-hosted installs), or only some networks.
 */
export type PrivateTargets = { allow: 'none' } | { allow: 'all' } | { allow: 'networks'; networks: string[] };

const KIND_WORDS: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  cgnat: 'a carrier-grade NAT address',
  link_local: 'a link-local address',
  unique_local: 'a unique-local address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  metadata: 'a cloud metadata address',
  reserved: 'a reserved address',
};

/** Why `address` is refused, or null when a Cloud connection may reach it. */
export function refusedKind(
  address: string,
  privateTargets: PrivateTargets,
): Exclude<AddressKind, 'public'> | null {
  const kind = classifyAddress(address);
  if (kind === 'public') return null;
  if (privateTargets.allow === 'all' && kind !== 'metadata') return null;
  if (
    privateTargets.allow === 'networks' &&
    privateTargets.networks.some((network) => inNetwork(address, network))
  )
    return null;
  return kind;
}

/** The address a host written as an IP literal stands for, in any of its forms; null for a name. */
export function literalAddress(host: string): string | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare.replace(/%.*$/, ''))) return bare;
  return legacyIPv4(bare);
}

/**
 * The Cloud-mode guard, as an executor's `checkTarget`: called with the addresses a host resolved
 * to, for every connect and every redirect hop, before connecting to exactly those addresses.
 */
export function cloudGuard(privateTargets: PrivateTargets): NonNullable<RunContext['checkTarget']> {
  return (target: Target, addresses: readonly string[]) => {
    const literal = literalAddress(target.host);
    for (const address of literal ? [literal, ...addresses] : addresses) {
      const kind = refusedKind(address, privateTargets);
      if (kind === null) continue;
      const resolved = address === target.host ? '' : ` → ${address}`;
      throw new ExecutorError(
        'ssrf_blocked',
        `${SSRF_MESSAGE} (${target.host}:${target.port}${resolved} is ${KIND_WORDS[kind]}.)`,
      );
    }
  };
}

/** For a form: the guard's refusal of a host written as an address or `localhost`, before any DNS. */
export function refuseLiteralHost(host: string, privateTargets: PrivateTargets): string | null {
  const name = host
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
    .replace(/\.$/, '');
  const address = name === 'localhost' || name.endsWith('.localhost') ? '127.0.0.1' : literalAddress(name);
  if (!address) return null;
  const kind = refusedKind(address, privateTargets);
  return kind ? `${SSRF_MESSAGE} (${host} is ${KIND_WORDS[kind]}.)` : null;
}
