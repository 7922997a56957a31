import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bundle = path.resolve(import.meta.dirname, '../dist/outpost-agent.cjs');
let folder: string;

beforeAll(async () => {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/build.mjs')], {
    stdio: 'ignore',
  });
  folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-bundle-'));
  await copyFile(bundle, path.join(folder, 'outpost-agent.cjs'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the bundled agent', () => {
  it('prints its package version with plain node from a folder with no node_modules', async () => {
    const { version } = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../package.json'), 'utf8'),
    );
    const out = execFileSync(process.execPath, ['outpost-agent.cjs', '--version'], {
      cwd: folder,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(out.trim()).toBe(version);
  });

  it('exits 2 and prints the usage for an unknown command', () => {
    expect(() =>
      execFileSync(process.execPath, ['outpost-agent.cjs', 'frobnicate'], { cwd: folder, stdio: 'pipe' }),
    ).toThrow(expect.objectContaining({ status: 2 }));
  });
});
