import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type APIRequestContext, request } from '@playwright/test';
import { API_URL, WEB_URL } from '../env.ts';
import { expect, test } from '../fixtures.ts';

/**
 * A page on another origin, in the browser of a signed-in user, tries to use their session: fetch
 * and form POSTs that would create an agent (to the API and through the web app's /api proxy),
 * the agent WebSocket, and the agent event stream with credentials. Nothing gets through and
 * nothing is created. Two such origins: 127.0.0.1 on another port (same site: the SameSite=Lax
 * cookie IS sent, so the X-Outpost-Client check is what refuses) and 127.0.0.2 (another site).
 */

/** A tiny site that serves an empty page: the attacker's origin. */
async function startOtherSite(host: string): Promise<{ url: string; server: Server; cookies: string[] }> {
  const cookies: string[] = [];
  const server = createServer((request, response) => {
    cookies.push(request.headers.cookie ?? '');
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>Another site</title><body><iframe name="sink"></iframe></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}/`, server, cookies };
}

interface Attempts {
  fetches: Record<string, string>;
  socket: string;
  streams: Record<string, string>;
}

test('a page on another origin cannot make state-changing requests or open sockets with the session', async ({
  page,
  context,
  signUp,
}) => {
  await signUp({ accountName: 'Cross-origin target' });
  const cookies = await context.cookies(WEB_URL);
  const session = cookies.find((cookie) => cookie.name === 'outpost_session');
  expect(session, 'signed in').toBeDefined();
  const api: APIRequestContext = await request.newContext({
    baseURL: API_URL,
    extraHTTPHeaders: { cookie: `outpost_session=${session?.value}`, 'x-outpost-client': 'e2e' },
  });

  try {
    // The control: the web app's own page creates an agent with the same session.
    await page.goto('/production/resources/agents');
    const own = await page.evaluate(async () => {
      const response = await fetch('/api/v1/agents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-outpost-client': 'web' },
        body: JSON.stringify({ name: 'made by the web app' }),
      });
      return response.status;
    });
    expect(own).toBe(201);

    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const site = await startOtherSite(host);
      try {
        await page.goto(site.url);
        const attempts: Attempts = await page.evaluate(
          async ({ apiUrl, webUrl, label }) => {
            const outcome = (promise: Promise<Response>) =>
              promise.then(
                (response) => (response.type === 'opaque' ? 'opaque' : `status ${response.status}`),
                () => 'blocked',
              );
            const body = (name: string) => JSON.stringify({ name: `${label} ${name}` });
            const fetches: Record<string, string> = {};
            for (const [base, where] of [
              [`${apiUrl}/v1`, 'api'],
              [`${webUrl}/api/v1`, 'web'],
            ] as const) {
              // A "simple" request: no pre-flight, the cookie goes along when the site is the same.
              fetches[`${where} text/plain`] = await outcome(
                fetch(`${base}/agents`, {
                  method: 'POST',
                  credentials: 'include',
                  headers: { 'content-type': 'text/plain' },
                  body: body(`${where} text/plain`),
                }),
              );
              fetches[`${where} no-cors`] = await outcome(
                fetch(`${base}/agents`, {
                  method: 'POST',
                  mode: 'no-cors',
                  credentials: 'include',
                  body: body(`${where} no-cors`),
                }),
              );
              // With the client header: needs a pre-flight, which the API never grants.
              fetches[`${where} json + client header`] = await outcome(
                fetch(`${base}/agents`, {
                  method: 'POST',
                  credentials: 'include',
                  headers: { 'content-type': 'application/json', 'x-outpost-client': 'web' },
                  body: body(`${where} json`),
                }),
              );
              // Reading: the answer is not the page's to see.
              fetches[`${where} read`] = await outcome(fetch(`${base}/agents`, { credentials: 'include' }));

              // A form POST into an iframe (text/plain makes a JSON-looking body).
              const form = document.createElement('form');
              form.method = 'POST';
              form.action = `${base}/agents`;
              form.enctype = 'text/plain';
              form.target = 'sink';
              const input = document.createElement('input');
              input.name = `{"name":"${label} ${where} form","x":"`;
              input.value = '"}';
              form.append(input);
              document.body.append(form);
              const frame = document.querySelector('iframe') as HTMLIFrameElement;
              const loaded = new Promise((resolve) =>
                frame.addEventListener('load', resolve, { once: true }),
              );
              form.submit();
              await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 5_000))]);
            }

            const socket = await new Promise<string>((resolve) => {
              const ws = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/v1/agent/connect`);
              ws.onopen = () => {
                resolve('open');
                ws.close();
              };
              ws.onerror = () => resolve('error');
              ws.onclose = (event) => resolve(`closed ${event.code}`);
              setTimeout(() => resolve('no answer'), 5_000);
            });

            const streams: Record<string, string> = {};
            for (const url of [`${apiUrl}/v1/agents/events`, `${webUrl}/api/v1/agents/events`]) {
              streams[url] = await new Promise<string>((resolve) => {
                const source = new EventSource(url, { withCredentials: true });
                source.onmessage = () => resolve('message');
                source.onopen = () => resolve('open');
                source.onerror = () => {
                  resolve(source.readyState === EventSource.CLOSED ? 'refused' : 'error, retrying');
                  source.close();
                };
                setTimeout(() => {
                  resolve('no answer');
                  source.close();
                }, 5_000);
              });
            }
            return { fetches, socket, streams };
          },
          { apiUrl: API_URL, webUrl: WEB_URL, label: `from ${host}` },
        );

        // Cookies go by host, not port: on 127.0.0.1 the session cookie reaches any port, this
        // site's included, so the attempts above carried it to the API and the web app.
        const carried = site.cookies.some((cookie) => cookie.includes(`outpost_session=${session?.value}`));
        expect(carried, `${host}: the session cookie reached the other site`).toBe(host === '127.0.0.1');
        for (const [attempt, result] of Object.entries(attempts.fetches)) {
          // Blocked by CORS, or sent blind (opaque, no-cors): never an answer the page can read.
          expect(['blocked', 'opaque'], `${host}: ${attempt} → ${result}`).toContain(result);
        }
        expect(attempts.socket, `${host}: agent WebSocket`).not.toBe('open');
        for (const [url, result] of Object.entries(attempts.streams))
          expect(result, `${host}: EventSource ${url}`).toBe('refused');
      } finally {
        await new Promise((resolve) => site.server.close(resolve));
      }
    }

    // Over the API: only the web app's own agent exists, in every environment.
    for (const environment of ['production', 'sandbox']) {
      const agents = await api.get('/v1/agents', { headers: { 'x-outpost-environment': environment } });
      expect(agents.status()).toBe(200);
      const names = ((await agents.json()).items as { name: string }[]).map((agent) => agent.name);
      expect(names).toEqual(environment === 'production' ? ['made by the web app'] : []);
    }

    // The API grants no CORS: no Access-Control-Allow-* on answers or pre-flights for another origin.
    const origin = 'http://127.0.0.2:9';
    const answer = await api.get('/v1/agents', { headers: { origin } });
    const preflight = await api.fetch('/v1/agents', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-outpost-client,content-type',
      },
    });
    for (const response of [answer, preflight]) {
      const granted = Object.keys(response.headers()).filter((name) =>
        name.startsWith('access-control-allow'),
      );
      expect(granted, response.url()).toEqual([]);
    }
    expect(preflight.status()).toBeGreaterThanOrEqual(400);
  } finally {
    await api.dispose();
  }
});
