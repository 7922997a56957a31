import { randomBytes } from 'node:crypto';

/** A signed-up account and an ADMIN API token, made over HTTP on one instance. */
export async function setUpTenant(baseUrl: string): Promise<{ apiToken: string; cookie: string }> {
  const email = `scale-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await fetch(`${baseUrl}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-outpost-client': 'test' },
    body: JSON.stringify({ email, password: 'correct horse battery staple', accountName: 'Scale' }),
  });
  if (signUp.status !== 201) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const cookie = /outpost_session=([^;]+)/.exec(signUp.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  const created = await fetch(`${baseUrl}/v1/api-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-outpost-client': 'test',
      cookie: `outpost_session=${cookie}`,
    },
    body: JSON.stringify({ name: 'scale-out test', role: 'ADMIN' }),
  });
  if (created.status !== 201) throw new Error(`token failed: ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  return { apiToken: token, cookie };
}
