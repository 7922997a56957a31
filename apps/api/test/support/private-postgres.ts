import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../scale-out/cluster.ts';

/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl, trust auth on 127.0.0.1, a free port),
 * for the API's own database in tests that stop and restart it: the shared local server must
 * never be restarted. Run as the OS user `postgres` when the tests run as root.
 */
export interface PrivatePostgres {
  /** The `postgres` database as `root`: what DATABASE_URL points at. */
  url: string;
  /** pg_ctl stop -m fast: sessions are cut, the server is gone until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** pg_ctl restart -m fast. */
  restart(): Promise<void>;
  /** Stops it (by the pid in postmaster.pid) and removes its files. */
  close(): Promise<void>;
}

/** The newest PostgreSQL server installed from Debian's packages (`/usr/lib/postgresql/<major>/bin`). */
const BIN = (() => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server in ${root}: apt-get install postgresql`);
  return path.join(root, newest, 'bin');
})();

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'outpost-fault-pg-'));
  const data = path.join(directory, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    await chown(directory, id('-u'), id('-g'));
  }
  const run = (binary: string, args: string[]) =>
    execFileSync(
      asRoot ? 'setpriv' : `${BIN}/${binary}`,
      asRoot
        ? ['--reuid', 'postgres', '--regid', 'postgres', '--clear-groups', `${BIN}/${binary}`, ...args]
        : args,
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: directory },
    );
  run('initdb', ['-D', data, '-U', 'root', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${directory} -c fsync=off`;
  const pgCtl = (...args: string[]) =>
    run('pg_ctl', ['-D', data, '-l', path.join(directory, 'log'), '-o', options, '-w', '-t', '30', ...args]);
  pgCtl('start');
  return {
    url: `postgresql://root@127.0.0.1:${port}/postgres`,
    stop: async () => void pgCtl('stop', '-m', 'fast'),
    start: async () => void pgCtl('start'),
    restart: async () => void pgCtl('restart', '-m', 'fast'),
    async close() {
      const pidFile = path.join(data, 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {}
        const deadline = Date.now() + 10_000;
        while (existsSync(pidFile) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
