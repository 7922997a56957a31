import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LAUNCHD_LABEL, LAUNCHD_LOG_DIR, LAUNCHD_PLIST_PATH, renderLaunchdPlist } from './launchd.ts';
import { renderSystemdUnit, type ServiceSpec, SYSTEMD_UNIT, SYSTEMD_UNIT_PATH } from './systemd.ts';
import {
  renderWindowsServiceHost,
  WINDOWS_HOST_EXE,
  WINDOWS_HOST_SOURCE,
  WINDOWS_SERVICE_NAME,
  windowsInstallCommands,
} from './windows.ts';

export type ServiceAction = 'install' | 'uninstall' | 'start' | 'stop' | 'status';
export const SERVICE_ACTIONS: readonly ServiceAction[] = ['install', 'uninstall', 'start', 'stop', 'status'];

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
}

export interface ServiceContext extends ServiceSpec {
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** `%SystemRoot%` on Windows, where the .NET Framework's csc.exe lives. */
  systemRoot?: string;
  say: (line: string) => void;
}

/** Runs `action` with the OS's service manager; resolves with the exit code to return. */
export function runServiceAction(action: ServiceAction, context: ServiceContext): number {
  if (context.platform === 'linux') return systemd(action, context);
  if (context.platform === 'darwin') return launchd(action, context);
  if (context.platform === 'win32') return windows(action, context);
  throw new ServiceError(
    `services are not supported on ${context.platform}: run \`outpost-agent start\` instead`,
  );
}

/** Everything but `status` changes the machine's services: root on Linux and macOS. */
export function needsRoot(action: ServiceAction, platform: NodeJS.Platform): boolean {
  return action !== 'status' && (platform === 'linux' || platform === 'darwin');
}

function systemd(action: ServiceAction, context: ServiceContext): number {
  if (action === 'status') return run('systemctl', ['status', SYSTEMD_UNIT, '--no-pager']);
  requireRoot(context, 'sudo');
  switch (action) {
    case 'install':
      writeFileSync(SYSTEMD_UNIT_PATH, renderSystemdUnit(context), { mode: 0o644 });
      must('systemctl', ['daemon-reload']);
      must('systemctl', ['enable', '--now', SYSTEMD_UNIT]);
      context.say(
        `installed and started ${SYSTEMD_UNIT} (${SYSTEMD_UNIT_PATH}); its log: journalctl -u ${SYSTEMD_UNIT}`,
      );
      return 0;
    case 'uninstall':
      run('systemctl', ['disable', '--now', SYSTEMD_UNIT]);
      rmSync(SYSTEMD_UNIT_PATH, { force: true });
      must('systemctl', ['daemon-reload']);
      context.say(`removed ${SYSTEMD_UNIT}`);
      return 0;
    default:
      return run('systemctl', [action, SYSTEMD_UNIT]);
  }
}

function launchd(action: ServiceAction, context: ServiceContext): number {
  const target = `system/${LAUNCHD_LABEL}`;
  if (action === 'status') return run('launchctl', ['print', target]);
  requireRoot(context, 'sudo');
  switch (action) {
    case 'install':
      mkdirSync(LAUNCHD_LOG_DIR, { recursive: true });
      writeFileSync(LAUNCHD_PLIST_PATH, renderLaunchdPlist(context), { mode: 0o644 });
      must('launchctl', ['bootstrap', 'system', LAUNCHD_PLIST_PATH]);
      context.say(
        `installed and started ${LAUNCHD_LABEL} (${LAUNCHD_PLIST_PATH}); its log: ${LAUNCHD_LOG_DIR}`,
      );
      return 0;
    case 'uninstall':
      run('launchctl', ['bootout', target]);
      rmSync(LAUNCHD_PLIST_PATH, { force: true });
      context.say(`removed ${LAUNCHD_LABEL}`);
      return 0;
    case 'start':
      return run('launchctl', ['bootstrap', 'system', LAUNCHD_PLIST_PATH]);
    default:
      // KeepAlive would restart a killed agent: stopping means unloading the job.
      return run('launchctl', ['bootout', target]);
  }
}

function windows(action: ServiceAction, context: ServiceContext): number {
  switch (action) {
    case 'install': {
      const source = path.win32.join(context.home, WINDOWS_HOST_SOURCE);
      const exe = path.win32.join(context.home, WINDOWS_HOST_EXE);
      mkdirSync(context.home, { recursive: true });
      writeFileSync(source, renderWindowsServiceHost(context));
      must(cscPath(context), [
        '/nologo',
        '/target:exe',
        `/out:${exe}`,
        '/reference:System.ServiceProcess.dll',
        source,
      ]);
      try {
        for (const args of windowsInstallCommands(exe)) must('sc.exe', args);
      } catch (error) {
        const hint = 'run it from a Command Prompt opened as Administrator';
        throw new ServiceError(`${error instanceof Error ? error.message : String(error)}; ${hint}`);
      }
      context.say(
        `installed and started the "Outpost Agent" service; its log: ${path.win32.join(context.home, 'outpost-agent.log')}`,
      );
      return 0;
    }
    case 'uninstall':
      run('sc.exe', ['stop', WINDOWS_SERVICE_NAME]);
      must('sc.exe', ['delete', WINDOWS_SERVICE_NAME]);
      context.say('removed the "Outpost Agent" service');
      return 0;
    case 'status':
      return run('sc.exe', ['query', WINDOWS_SERVICE_NAME]);
    default:
      return run('sc.exe', [action, WINDOWS_SERVICE_NAME]);
  }
}

function cscPath(context: ServiceContext): string {
  const root = context.systemRoot ?? 'C:\\Windows';
  for (const framework of ['Framework64', 'Framework']) {
    const csc = path.win32.join(root, 'Microsoft.NET', framework, 'v4.0.30319', 'csc.exe');
    if (existsSync(csc)) return csc;
  }
  throw new ServiceError(
    'the .NET Framework 4 C# compiler (csc.exe) was not found; it ships with Windows 8 and later',
  );
}

export const ROOT_NEEDED = 'installing or controlling the service needs root';

function requireRoot(context: ServiceContext, how: string): void {
  if (!context.isRoot) throw new ServiceError(`${ROOT_NEEDED}: run it with ${how}`);
}

/** Runs a command with its output shown; resolves to its exit code. */
function run(command: string, args: string[]): number {
  try {
    execFileSync(command, args, { stdio: 'inherit' });
    return 0;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number')
      return error.status;
    throw new ServiceError(
      `cannot run ${command}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function must(command: string, args: string[]): void {
  const code = run(command, args);
  if (code !== 0) throw new ServiceError(`${command} ${args[0] ?? ''} failed (exit code ${code})`);
}
