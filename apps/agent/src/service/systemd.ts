/** Linux: a systemd unit that starts the agent at boot and restarts it when it stops. */
export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/outpost-agent.service';
export const SYSTEMD_UNIT = 'outpost-agent.service';

export interface ServiceSpec {
  /** The Node.js executable that runs the agent. */
  nodePath: string;
  /** `outpost-agent.cjs` */
  bundlePath: string;
  /** The agent home: its config file, lock and machine id. */
  home: string;
}

export function renderSystemdUnit(spec: ServiceSpec): string {
  return `# Written by \`outpost-agent service install\`; \`outpost-agent service uninstall\` removes it.
[Unit]
Description=Outpost agent
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=${quote(spec.nodePath)} ${quote(spec.bundlePath)} start
Environment=${quote(`OUTPOST_AGENT_HOME=${spec.home}`)}
# After an auto-upgrade the agent exits (code 4) and is started again, running the new version.
Environment=OUTPOST_AGENT_SERVICE=systemd
Restart=always
RestartSec=5
# Exit code 3: the token was revoked or the agent deleted; restarting cannot help until
# \`outpost-agent token set\` and \`outpost-agent service start\`.
RestartPreventExitStatus=3
# SIGTERM lets requests in flight finish for up to 10 s.
TimeoutStopSec=20
NoNewPrivileges=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`;
}

/** A double-quoted systemd word: `\\` and `"` escaped, `%` specifiers and `$` variables disarmed. */
function quote(word: string): string {
  if (/[\n\r]/.test(word))
    throw new Error(`a path with a line break cannot go in a unit: ${JSON.stringify(word)}`);
  return `"${word.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}
