import { z } from 'zod';
import { abortError, type Executor, ExecutorError, type RunContext } from './executor.ts';
import { HttpInput, type HttpResult, httpExecutor, targetOf } from './http.ts';
import { SqlConnection, SqlDialect, sqlExecutor, sqlTarget } from './sql.ts';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** `connection.test`: a real probe of a connection, as the connection's settings describe it. */
export const ConnectionTestInput = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('http'),
    /** The base URI joined with the test path: what is requested with GET. */
    url: HttpInput.shape.url,
    /** The connection's headers with its auth applied (a bearer token obtained beforehand). */
    headers: z.record(z.string().regex(HEADER_NAME), z.string().regex(/^[^\r\n\0]*$/)).optional(),
    timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  }),
  z.object({
    type: z.literal('sql'),
    dialect: SqlDialect,
    connection: SqlConnection,
    timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  }),
]);
export type ConnectionTestInput = z.input<typeof ConnectionTestInput>;
type ParsedInput = z.output<typeof ConnectionTestInput>;

/** What Test connection says: `ok`, or what failed, in words a person can act on. */
export interface ConnectionProbe {
  ok: boolean;
  /** `ok`, an executor error code, or `http_<status>`. */
  code: string;
  message: string;
}

export const connectionTestExecutor: Executor<ParsedInput> = {
  kind: 'connection.test',
  input: ConnectionTestInput,
  targets: (input) => [input.type === 'http' ? targetOf(new URL(input.url)) : sqlTarget(input)],
  run: async (input, context) => ({ result: await probe(input, context) }),
};

async function probe(input: ParsedInput, context: RunContext): Promise<ConnectionProbe> {
  const deadline = Math.min(context.deadline, Date.now() + input.timeoutMs);
  const timer = new AbortController();
  const timeout = setTimeout(
    () => timer.abort(new ExecutorError('timeout', 'the test timed out')),
    deadline - Date.now(),
  );
  const signal = AbortSignal.any([context.signal, timer.signal]);
  const scoped = { ...context, signal, deadline };
  const where = input.type === 'http' ? new URL(input.url).host : `${input.connection.host}`;
  try {
    return input.type === 'http' ? await probeHttp(input, scoped) : await probeSql(input, scoped);
  } catch (caught) {
    const error = signal.aborted ? abortError(signal) : caught;
    if (error instanceof ExecutorError && error.code === 'cancelled' && context.signal.aborted) throw error;
    const code = error instanceof ExecutorError ? error.code : 'internal_error';
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, code, message: failureMessage(code, detail, where, input.timeoutMs) };
  } finally {
    clearTimeout(timeout);
  }
}

async function probeHttp(input: Extract<ParsedInput, { type: 'http' }>, context: RunContext) {
  const output = await httpExecutor.run(
    HttpInput.parse({ method: 'GET', url: input.url, headers: input.headers ?? {}, maxRedirects: 5 }),
    context,
  );
  // Only the status matters: stop reading at once, and let the body go.
  await output.body?.[Symbol.asyncIterator]().return?.();
  const { status, statusText, url } = output.result as HttpResult;
  const answered = `${new URL(url).host} answered ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status >= 200 && status < 400) return { ok: true, code: 'ok', message: `Connected: ${answered}.` };
  return { ok: false, code: `http_${status}`, message: httpMessage(status, answered, new URL(url).pathname) };
}

async function probeSql(input: Extract<ParsedInput, { type: 'sql' }>, context: RunContext) {
  const output = await sqlExecutor.run(
    sqlExecutor.input.parse({
      dialect: input.dialect,
      connection: input.connection,
      sql: 'SELECT version()',
      params: [],
      timeoutMs: input.timeoutMs,
    }),
    context,
  );
  let text = '';
  for await (const chunk of output.body ?? []) text += Buffer.from(chunk).toString('utf8');
  const version = String((JSON.parse(text.split('\n')[0] || '[""]') as unknown[])[0] ?? '');
  const server = version.split(/ on |,/)[0] ?? version;
  const { host, database, user } = input.connection;
  return {
    ok: true,
    code: 'ok',
    message: `Connected to ${server || 'the database'} at ${host} as ${user}, database ${database}.`,
  };
}

function httpMessage(status: number, answered: string, path: string): string {
  if (status === 401) return `${answered}: the credentials were refused. Check the authentication settings.`;
  if (status === 403) return `${answered}: the credentials are valid but not allowed to read ${path}.`;
  if (status === 404)
    return `${answered}: ${path} does not exist there. Check the base URI and the test path.`;
  if (status >= 500) return `${answered}: the server failed. Try again later, or check the server's logs.`;
  return `${answered}, not a success. Check the base URI and the test path.`;
}

/** A failure in words a person can act on: what happened and what to change. */
export function failureMessage(code: string, detail: string, where: string, timeoutMs?: number): string {
  switch (code) {
    case 'dns_failed':
      return `The host name ${where} did not resolve. Check the spelling; a name known only inside a private network needs Mode: On-premise with an agent there.`;
    case 'connection_refused':
      return `Nothing accepted the connection at ${where} (connection refused). Check the port and that the service is running.`;
    case 'host_unreachable':
      return `${where} is unreachable from where the connection runs. Check the address and any firewall between.`;
    case 'connection_reset':
      return `${where} closed the connection. Check the port and the TLS setting.`;
    case 'tls_error':
      return `TLS with ${where} failed: ${detail}. Check the certificate, or the TLS setting.`;
    case 'timeout':
      return `${where} did not answer within ${timeoutMs ? `${Math.round(timeoutMs / 1000)} s` : 'the time allowed'}. Check the address, the port and any firewall between.`;
    case 'auth_failed':
      return `The credentials were refused: ${detail}. Check the user name and password (or client ID and secret).`;
    case 'policy_denied':
      return `The agent refused to reach ${where}: ${detail}. Allow it in the agent's policy (allow / deny in its config).`;
    case 'ssrf_blocked':
      return detail;
    default:
      return detail.charAt(0).toUpperCase() + detail.slice(1);
  }
}
