import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { AGENT_DIST_DIR, call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
let agentId: string;
let folder: string;
const PUBLIC_URL = 'https://outpost.example.com';

beforeAll(async () => {
  t = await startTestApp({ OUTPOST_PUBLIC_URL: PUBLIC_URL });
  owner = await signUp(t.app);
  agentId = (
    await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name: 'downloads' } })
  ).json().id;
  folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-download-test-'));
});
afterAll(async () => {
  await t.close();
  await rm(folder, { recursive: true, force: true });
});

async function download(agentOs: string) {
  return call(t.app, 'GET', `/v1/agents/${agentId}/download?os=${agentOs}`, { as: { cookie: owner.cookie } });
}

/** Unpacks a zip with its file modes into `into`. */
async function unzip(archive: Buffer, into: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const target = path.join(into, entry.fileName);
        await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(target), { recursive: true }));
        await writeFile(target, Buffer.concat(chunks), {
          mode: (entry.externalFileAttributes >>> 16) & 0o777,
        });
        zip.readEntry();
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
}

describe('Install → Download', () => {
  it.each([
    ['linux', 'tar.gz', 'outpost-agent'],
    ['macos', 'tar.gz', 'outpost-agent'],
    ['windows', 'zip', 'outpost-agent.cmd'],
  ])(
    '%s: a %s with the bundled agent, the %s launcher, a README and the config, and no token',
    async (agentOs, format, launcher) => {
      const response = await download(agentOs);
      expect(response.statusCode).toBe(200);
      const manifest = JSON.parse(await readFile(path.join(AGENT_DIST_DIR, 'manifest.json'), 'utf8'));
      const fileName = `outpost-agent-${manifest.version}-${agentOs}.${format}`;
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${fileName}"`);
      const archive = response.rawPayload;
      expect(response.headers['x-checksum-sha256']).toBe(createHash('sha256').update(archive).digest('hex'));

      const into = await mkdtemp(path.join(folder, `${agentOs}-`));
      if (format === 'zip') await unzip(archive, into);
      else {
        await writeFile(path.join(into, fileName), archive);
        await tar.extract({ file: path.join(into, fileName), cwd: into });
      }
      const root = path.join(into, 'outpost-agent');
      const bundle = await readFile(path.join(root, 'outpost-agent.cjs'));
      expect(createHash('sha256').update(bundle).digest('hex')).toBe(manifest.sha256);
      expect((await stat(path.join(root, launcher))).mode & 0o111).toBe(0o111);
      const readme = await readFile(path.join(root, 'README.md'), 'utf8');
      expect(readme).toContain(PUBLIC_URL);
      expect(readme).toContain({ linux: 'Linux', macos: 'macOS', windows: 'Windows' }[agentOs]);
      expect(readme).not.toMatch(/\{\{\w+\}\}/);
      expect(JSON.parse(await readFile(path.join(root, 'outpost-agent.json'), 'utf8'))).toEqual({
        url: PUBLIC_URL,
      });

      const token = (
        await call(t.app, 'GET', `/v1/agents/${agentId}/token`, { as: { cookie: owner.cookie } })
      ).json().token;
      expect(archive.includes(token)).toBe(false);

      // The bundled agent runs with plain node from the unpacked folder, which has no node_modules.
      const version = execFileSync(process.execPath, [path.join(root, 'outpost-agent.cjs'), '--version'], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(version.trim()).toBe(manifest.version);
      if (agentOs !== 'windows') {
        expect(
          execFileSync(path.join(root, launcher), ['--version'], { cwd: root, encoding: 'utf8' }).trim(),
        ).toBe(manifest.version);
      }
    },
  );

  it('builds each archive once and publishes its SHA-256', async () => {
    const first = await download('linux');
    const again = await download('linux');
    expect(again.headers['x-checksum-sha256']).toBe(first.headers['x-checksum-sha256']);
    const list = await call(t.app, 'GET', '/v1/agent-downloads', { as: { cookie: owner.cookie } });
    expect(list.statusCode).toBe(200);
    const linux = list.json().items.find((item: { os: string }) => item.os === 'linux');
    expect(linux.sha256).toBe(first.headers['x-checksum-sha256']);
    expect(linux.sizeBytes).toBe(first.rawPayload.length);
  });

  it("refuses a malformed os, naming the field, and another tenant's agent", async () => {
    const response = await call(t.app, 'GET', `/v1/agents/${agentId}/download?os=beos`, {
      as: { cookie: owner.cookie },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues[0].path).toBe('querystring.os');
    const stranger = await signUp(t.app);
    expect(
      (
        await call(t.app, 'GET', `/v1/agents/${agentId}/download?os=linux`, {
          as: { cookie: stranger.cookie },
        })
      ).statusCode,
    ).toBe(404);
  });
});
