import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AgentDownload, AgentOs } from '@outpost/protocol/rest/agents';
import * as tar from 'tar';
import yazl from 'yazl';

interface Platform {
  osName: string;
  format: 'zip' | 'tar.gz';
  launcher: { source: string; name: string };
  run: string;
  nodeHint: string;
  serviceHint: string;
}

const PLATFORMS: Record<AgentOs, Platform> = {
  windows: {
    osName: 'Windows',
    format: 'zip',
    launcher: { source: 'outpost-agent.cmd', name: 'outpost-agent.cmd' },
    run: 'outpost-agent.cmd',
    nodeHint: 'the Windows installer from nodejs.org',
    serviceHint:
      'Run it from a Command Prompt opened as Administrator. It registers the "Outpost Agent" Windows service, which starts with the machine whoever is logged on; `outpost-agent.cmd service uninstall` removes it.',
  },
  macos: {
    osName: 'macOS',
    format: 'tar.gz',
    launcher: { source: 'outpost-agent.sh', name: 'outpost-agent' },
    run: './outpost-agent',
    nodeHint: '`brew install node` or the installer from nodejs.org',
    serviceHint:
      'It installs a launchd job that starts the agent at boot and restarts it if it stops; `./outpost-agent service uninstall` removes it.',
  },
  linux: {
    osName: 'Linux',
    format: 'tar.gz',
    launcher: { source: 'outpost-agent.sh', name: 'outpost-agent' },
    run: './outpost-agent',
    nodeHint: "your distribution's `nodejs` package, if it is 20 or later, or nodejs.org",
    serviceHint:
      'Run it with sudo. It installs a systemd unit, `outpost-agent.service`, that starts the agent at boot and restarts it if it stops; `sudo ./outpost-agent service uninstall` removes it.',
  },
};

interface Manifest {
  version: string;
  bundle: string;
  sha256: string;
}

export interface BuiltDownload extends AgentDownload {
  file: string;
  contentType: string;
}

/**
 * The Install → Download archives: per OS, the bundled agent, a launcher, a README and a config
 * file holding this control plane's public URL (never a token). Each archive is built once per
 * agent version and public URL, cached in the data directory with its SHA-256 beside it.
 */
export class AgentDownloads {
  readonly #building = new Map<AgentOs, Promise<BuiltDownload>>();
  #manifest: Promise<Manifest> | undefined;

  constructor(
    private readonly agentDistDir: string,
    private readonly cacheDir: string,
    private readonly publicUrl: string,
  ) {}

  /** The built agent's manifest, read once: every agent's welcome needs it. */
  manifest(): Promise<Manifest> {
    this.#manifest ??= this.#readManifest();
    this.#manifest.catch(() => {
      this.#manifest = undefined; // missing now, perhaps built later
    });
    return this.#manifest;
  }

  async #readManifest(): Promise<Manifest> {
    const file = path.join(this.agentDistDir, 'manifest.json');
    if (!existsSync(file)) throw new Error(`The agent bundle is missing (${file}); build apps/agent first`);
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  }

  /** The archive for `os`, built now if this version has none yet. */
  get(os: AgentOs): Promise<BuiltDownload> {
    let building = this.#building.get(os);
    if (!building) {
      building = this.#build(os);
      this.#building.set(os, building);
      building.catch(() => this.#building.delete(os));
    }
    return building;
  }

  async #build(os: AgentOs): Promise<BuiltDownload> {
    const platform = PLATFORMS[os];
    const manifest = await this.manifest();
    const urlKey = createHash('sha256').update(this.publicUrl).digest('hex').slice(0, 8);
    const folder = path.join(this.cacheDir, `${manifest.version}-${manifest.sha256.slice(0, 12)}-${urlKey}`);
    const fileName = `outpost-agent-${manifest.version}-${os}.${platform.format}`;
    const file = path.join(folder, fileName);
    const contentType = platform.format === 'zip' ? 'application/zip' : 'application/gzip';
    if (!existsSync(`${file}.sha256`)) {
      await mkdir(folder, { recursive: true });
      const entries = await this.#entries(os, manifest);
      const partial = `${file}.partial-${process.pid}`;
      if (platform.format === 'zip') await writeZip(partial, entries);
      else await writeTarGz(partial, entries);
      const sha256 = createHash('sha256')
        .update(await readFile(partial))
        .digest('hex');
      await rename(partial, file);
      await writeFile(`${file}.sha256`, `${sha256}  ${fileName}\n`);
    }
    const sha256 = (await readFile(`${file}.sha256`, 'utf8')).split(' ')[0] ?? '';
    return {
      os,
      fileName,
      version: manifest.version,
      sizeBytes: (await stat(file)).size,
      sha256,
      file,
      contentType,
    };
  }

  async #entries(os: AgentOs, manifest: Manifest): Promise<ArchiveEntry[]> {
    const platform = PLATFORMS[os];
    const install = path.join(this.agentDistDir, 'install');
    const readme = (await readFile(path.join(install, 'README.md'), 'utf8')).replace(
      /\{\{(\w+)\}\}/g,
      (_match, key: string) => {
        const { osName, run, nodeHint, serviceHint } = platform;
        const values: Record<string, string> = {
          version: manifest.version,
          url: this.publicUrl,
          osName,
          run,
          nodeHint,
          serviceHint,
        };
        return values[key] ?? '';
      },
    );
    const text = (value: string) => (os === 'windows' ? value.replaceAll(/\r?\n/g, '\r\n') : value);
    return [
      {
        name: manifest.bundle,
        data: await readFile(path.join(this.agentDistDir, manifest.bundle)),
        mode: 0o644,
      },
      {
        name: platform.launcher.name,
        data: Buffer.from(text(await readFile(path.join(install, platform.launcher.source), 'utf8'))),
        mode: 0o755,
      },
      { name: 'README.md', data: Buffer.from(text(readme)), mode: 0o644 },
      {
        name: 'outpost-agent.json',
        data: Buffer.from(`${JSON.stringify({ url: this.publicUrl }, null, 2)}\n`),
        mode: 0o644,
      },
    ];
  }
}

interface ArchiveEntry {
  name: string;
  data: Buffer;
  mode: number;
}

const ROOT = 'outpost-agent';

async function writeZip(file: string, entries: ArchiveEntry[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries)
    zip.addBuffer(entry.data, `${ROOT}/${entry.name}`, { mode: 0o100000 | entry.mode });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

async function writeTarGz(file: string, entries: ArchiveEntry[]): Promise<void> {
  const stage = await mkdtemp(`${file}.stage-`);
  try {
    await mkdir(path.join(stage, ROOT));
    for (const entry of entries) {
      const target = path.join(stage, ROOT, entry.name);
      await writeFile(target, entry.data);
      await chmod(target, entry.mode);
    }
    await tar.create({ gzip: true, cwd: stage, portable: true, file }, [ROOT]);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
