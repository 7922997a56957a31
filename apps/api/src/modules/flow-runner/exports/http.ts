import type { HttpExportSettings } from '@outpost/protocol/rest/exports';
import { ConnectionFailure } from '../../connections/runner.ts';
import {
  type ConnectionDeps,
  type ConnectionHttpRequest,
  sendHttpRequest,
} from '../../connections/service.ts';
import { type ConnectionWithAgent, httpSettingsOf } from '../../connections/settings.ts';
import { ExportFailure } from './errors.ts';
import type { ExportPage } from './index.ts';
import { kindOf, valueAt } from './json-path.ts';
import { BodyTooLarge, excerpt, readText } from './response-body.ts';

/** Where the next page is: the next link, the page number, or the cursor to send. */
export type HttpExportCursor = { url: string } | { page: number } | { cursor: string };

const TIMEOUT_MS = 120_000;

/** One page of an HTTP export: one request, its records, and how to ask for the next page. */
export async function readHttpPage(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  settings: HttpExportSettings,
  cursor: HttpExportCursor | null,
  signal: AbortSignal,
): Promise<ExportPage> {
  const baseUri = httpSettingsOf(connection)?.baseUri;
  if (!baseUri) throw new ExportFailure(`${connection.name} is not an HTTP connection`);
  const request = requestFor(baseUri, settings, cursor);
  const what = `${request.method} ${request.path}`;
  const response = await sendHttpRequest(deps, connection, { ...request, timeoutMs: TIMEOUT_MS, signal });
  if (response.status < 200 || response.status > 299) {
    const message = `${what} answered ${response.status}: ${await excerpt(response.body)}`;
    if (response.status === 408 || response.status === 429 || response.status >= 500)
      throw new ConnectionFailure(`http_${response.status}`, message);
    throw new ExportFailure(message);
  }
  const body = await parse(response.body, what);
  const records = valueAt(body, settings.recordsPath);
  if (!Array.isArray(records))
    throw new ExportFailure(
      `The response to ${what} has no array of records at ${
        settings.recordsPath ? `"${settings.recordsPath}"` : 'its top level (records path empty)'
      }: found ${kindOf(records)}`,
    );
  return { records, next: nextCursor(baseUri, settings, cursor, body, response, records.length) };
}

function requestFor(
  baseUri: string,
  settings: HttpExportSettings,
  cursor: HttpExportCursor | null,
): ConnectionHttpRequest & { path: string } {
  const headers: Record<string, string> = { accept: 'application/json' };
  const post = settings.method === 'POST' && settings.body !== undefined;
  if (post) headers['content-type'] = 'application/json';
  const common = {
    method: settings.method,
    headers,
    ...(post ? { bodyBase64: Buffer.from(settings.body ?? '').toString('base64') } : {}),
  };
  // A next link carries its own query.
  if (cursor && 'url' in cursor) return { ...common, path: pathOnBase(baseUri, cursor.url) };
  const query: Record<string, string> = { ...settings.query };
  const pagination = settings.pagination;
  if (pagination.type === 'page_number') {
    query[pagination.param] = String(cursor && 'page' in cursor ? cursor.page : pagination.startAt);
    if (pagination.sizeParam && pagination.size !== undefined)
      query[pagination.sizeParam] = String(pagination.size);
  }
  if (pagination.type === 'cursor' && cursor && 'cursor' in cursor) query[pagination.param] = cursor.cursor;
  return { ...common, path: settings.path, ...(Object.keys(query).length > 0 ? { query } : {}) };
}

function nextCursor(
  baseUri: string,
  settings: HttpExportSettings,
  cursor: HttpExportCursor | null,
  body: unknown,
  response: { url: string; headers: Record<string, string | string[]> },
  count: number,
): HttpExportCursor | null {
  const pagination = settings.pagination;
  switch (pagination.type) {
    case 'none':
      return null;
    case 'page_number': {
      if (count === 0) return null;
      const page = cursor && 'page' in cursor ? cursor.page : pagination.startAt;
      return { page: page + 1 };
    }
    case 'cursor': {
      const value = valueAt(body, pagination.path);
      if (value === undefined || value === null || value === '' || value === false) return null;
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ExportFailure(
          `The cursor at "${pagination.path}" is ${kindOf(value)}, not text or a number`,
        );
      const next = String(value);
      if (cursor && 'cursor' in cursor && cursor.cursor === next)
        throw new ExportFailure(`The API answered the same cursor again ("${next}"): it would never end`);
      return { cursor: next };
    }
    case 'next_link': {
      const link =
        pagination.source === 'link_header'
          ? nextLinkHeader(response.headers.link)
          : valueAt(body, pagination.path);
      if (link === undefined || link === null || link === '') return null;
      if (typeof link !== 'string')
        throw new ExportFailure(`The next link at "${pagination.path}" is ${kindOf(link)}, not a URL`);
      if (!URL.canParse(link, response.url)) throw new ExportFailure(`The next link "${link}" is not a URL`);
      const url = new URL(link, response.url);
      pathOnBase(baseUri, url.href);
      if (url.href === response.url)
        throw new ExportFailure(`The next link is the page itself (${url.href}): it would never end`);
      return { url: url.href };
    }
  }
}

/**
 * The path, relative to the base URI, of a URL the API gave: it must stay on the connection's
 * origin (a link elsewhere is refused, so an API cannot send the connection's credentials or the
 * agent to another host) and under the base URI's path.
 */
export function pathOnBase(baseUri: string, link: string): string {
  const base = new URL(baseUri);
  const url = new URL(link);
  if (url.origin !== base.origin)
    throw new ExportFailure(
      `The next link goes to ${url.origin}, not to the connection's ${base.origin}: refused`,
    );
  const basePath = base.pathname.replace(/\/+$/, '');
  if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))
    throw new ExportFailure(
      `The next link ${url.pathname} is outside the connection's base path ${basePath}`,
    );
  return `${url.pathname.slice(basePath.length) || '/'}${url.search}`;
}

/** The `rel="next"` target of an RFC 8288 `Link` header. */
export function nextLinkHeader(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1];
  }
  return undefined;
}

async function parse(body: AsyncIterable<Uint8Array> | undefined, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readText(body);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new ExportFailure(`The response to ${what}: ${error.message}`);
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ExportFailure(
      `The response to ${what} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
