import type { Connection } from '@outpost/protocol/rest/connections';

/**
 * The host of a base URI or a host field, lower-case, without brackets or a trailing dot; null
 * when it cannot be read yet (half typed).
 */
export function hostOf(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  let host = trimmed;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    if (!URL.canParse(trimmed)) return null;
    host = new URL(trimmed).hostname;
  }
  host = host
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
    .replace(/\.$/, '');
  return host === '' ? null : host;
}

/**
 * Whether Outpost's cloud will refuse this host as a private address, as far as the form can tell
 * without DNS: `localhost`, and IP literals in loopback, private, link-local, carrier-grade NAT and
 * unique-local ranges. The API decides (after DNS, for every form of address); this only warns early.
 */
export function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = ipv4(host.replace(/^::ffff:/, ''));
  if (v4) {
    const [a, b] = v4;
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (!host.includes(':')) return false;
  return (
    host === '::1' || host === '::' || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)
  );
}

function ipv4(host: string): [number, number, number, number] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return null;
  return parts as [number, number, number, number];
}

/** Where a connection points, for the list: its base URI, or `host:port/database`. */
export function endpointOf(connection: Pick<Connection, 'http' | 'sql'>): string {
  if (connection.http) return connection.http.baseUri;
  if (connection.sql) {
    const { host, port, database } = connection.sql;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return `${shownHost}${port === undefined ? '' : `:${port}`}/${database}`;
  }
  return '';
}
