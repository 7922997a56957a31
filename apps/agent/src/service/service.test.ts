import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLaunchdPlist } from './launchd.ts';
import { renderSystemdUnit } from './systemd.ts';
import { renderWindowsServiceHost, windowsInstallCommands } from './windows.ts';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'outpost-agent-service-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** `[Section] Key=Value` lines of a unit file, comments dropped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = {};
      sections[header[1]] = section;
      continue;
    }
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    section[key] = [...(section[key] ?? []), line.slice(at + 1)];
  }
  return sections;
}

describe('the systemd unit', () => {
  it('runs `<node> <bundle> start` with the agent home, restarting always', () => {
    const unit = parseUnit(
      renderSystemdUnit({
        nodePath: '/usr/bin/node',
        bundlePath: '/opt/outpost agent/outpost-agent.cjs',
        home: '/etc/outpost-agent',
      }),
    );
    expect(unit.Service?.ExecStart).toEqual(['"/usr/bin/node" "/opt/outpost agent/outpost-agent.cjs" start']);
    expect(unit.Service?.Environment).toEqual([
      '"OUTPOST_AGENT_HOME=/etc/outpost-agent"',
      // Tells the agent to exit after an auto-upgrade, so that systemd starts the new version.
      'OUTPOST_AGENT_SERVICE=systemd',
    ]);
    expect(unit.Service?.Restart).toEqual(['always']);
    expect(unit.Service?.RestartPreventExitStatus).toEqual(['3']);
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
    expect(unit.Unit?.After).toEqual(['network-online.target']);
  });

  it('escapes quotes, backslashes, % specifiers and $ variables', () => {
    const unit = parseUnit(
      renderSystemdUnit({ nodePath: '/n"o\\de', bundlePath: '/b/100%$HOME', home: '/h' }),
    );
    expect(unit.Service?.ExecStart).toEqual(['"/n\\"o\\\\de" "/b/100%%$$HOME" start']);
    expect(() => renderSystemdUnit({ nodePath: '/a\nb', bundlePath: '/b', home: '/h' })).toThrow(
      /line break/,
    );
  });

  it('passes systemd-analyze verify', () => {
    const bundle = path.join(folder, 'outpost agent', 'outpost-agent.cjs');
    execFileSync('mkdir', ['-p', path.dirname(bundle)]);
    writeFileSync(bundle, '');
    const file = path.join(folder, 'outpost-agent.service');
    writeFileSync(
      file,
      renderSystemdUnit({
        nodePath: process.execPath,
        bundlePath: bundle,
        home: path.join(folder, 'home 100%'),
      }),
    );
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes(file))).toEqual([]);
  });
});

describe('the launchd plist', () => {
  const plist = renderLaunchdPlist({
    nodePath: '/usr/local/bin/node',
    bundlePath: '/Users/a&b/outpost-agent.cjs',
    home: '/Users/a&b/Library/Application Support/Outpost Agent',
  });

  it('is a KeepAlive daemon labelled io.outpost.agent running `<node> <bundle> start`', () => {
    expect(plist).toContain('<key>Label</key>\n  <string>io.outpost.agent</string>');
    expect(plist).toMatch(
      /<key>ProgramArguments<\/key>\s*<array>\s*<string>\/usr\/local\/bin\/node<\/string>\s*<string>\/Users\/a&amp;b\/outpost-agent.cjs<\/string>\s*<string>start<\/string>\s*<\/array>/,
    );
    expect(plist).toMatch(
      /<key>OUTPOST_AGENT_HOME<\/key>\s*<string>\/Users\/a&amp;b\/Library\/Application Support\/Outpost Agent<\/string>/,
    );
    expect(plist).toMatch(/<key>OUTPOST_AGENT_SERVICE<\/key>\s*<string>launchd<\/string>/);
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
  });

  it('is well-formed: every tag closes, nothing unescaped', () => {
    const body = plist.replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '');
    const stack: string[] = [];
    for (const [, closing, name, selfClosing] of body.matchAll(/<(\/?)(\w+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (closing) expect(stack.pop()).toBe(name);
      else stack.push(name ?? '');
    }
    expect(stack).toEqual([]);
    expect(body.replace(/<[^>]+>/g, '')).not.toMatch(/&(?!amp;|lt;|gt;|quot;)|[<>]/);
  });
});

describe('the Windows service', () => {
  const spec = {
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    bundlePath: 'C:\\Outpost "Agent"\\outpost-agent.cjs',
    home: 'C:\\ProgramData\\Outpost Agent',
  };

  it('bakes the paths into the service host as verbatim strings', () => {
    const source = renderWindowsServiceHost(spec);
    expect(source).toContain('const string NodePath = @"C:\\Program Files\\nodejs\\node.exe";');
    expect(source).toContain('const string BundlePath = @"C:\\Outpost ""Agent""\\outpost-agent.cjs";');
    expect(source).toContain('ServiceName = "OutpostAgent";');
    expect(source).toContain('start --stop-on-stdin-end');
    expect(source).toContain('info.EnvironmentVariables["OUTPOST_AGENT_SERVICE"] = "windows";');
  });

  it('starts the agent again, without failing the service, when it exits to restart after an upgrade', () => {
    const source = renderWindowsServiceHost(spec);
    expect(source).toContain('const int ExitRestart = 4;');
    expect(source).toMatch(/if \(agent\.ExitCode == ExitRestart\)\s*\{\s*StartAgent\(\);\s*return;/);
  });

  it('compiles (checked with Mono’s C# compiler, from the mono-mcs package)', () => {
    const file = path.join(folder, 'outpost-agent-service.cs');
    writeFileSync(file, renderWindowsServiceHost(spec));
    const result = spawnSync(
      'mcs',
      ['-langversion:5', '-r:System.ServiceProcess.dll', `-out:${file}.exe`, file],
      { encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
  });

  it('registers the host with sc.exe, restarting it on failure', () => {
    const commands = windowsInstallCommands('C:\\ProgramData\\Outpost Agent\\outpost-agent-service.exe');
    expect(commands[0]).toEqual([
      'create',
      'OutpostAgent',
      'binPath=',
      '"C:\\ProgramData\\Outpost Agent\\outpost-agent-service.exe"',
      'start=',
      'delayed-auto',
      'DisplayName=',
      'Outpost Agent',
    ]);
    expect(commands.map((command) => command[0])).toEqual(['create', 'description', 'failure', 'start']);
  });
});
