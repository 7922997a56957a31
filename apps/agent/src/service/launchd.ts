import type { ServiceSpec } from './systemd.ts';

/** macOS: a launchd daemon that starts the agent at boot and restarts it when it stops. */
export const LAUNCHD_LABEL = 'io.outpost.agent';
export const LAUNCHD_PLIST_PATH = `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`;
export const LAUNCHD_LOG_DIR = '/Library/Logs/Outpost Agent';

export function renderLaunchdPlist(spec: ServiceSpec): string {
  const string = (value: string) => `<string>${escapeXml(value)}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`outpost-agent service install\`; \`outpost-agent service uninstall\` removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  ${string(LAUNCHD_LABEL)}
  <key>ProgramArguments</key>
  <array>
    ${string(spec.nodePath)}
    ${string(spec.bundlePath)}
    ${string('start')}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>OUTPOST_AGENT_HOME</key>
    ${string(spec.home)}
    <key>OUTPOST_AGENT_SERVICE</key>
    ${string('launchd')}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>ThrottleInterval</key>
  <integer>10</integer>
  <key>ExitTimeOut</key>
  <integer>20</integer>
  <key>StandardOutPath</key>
  ${string(`${LAUNCHD_LOG_DIR}/outpost-agent.log`)}
  <key>StandardErrorPath</key>
  ${string(`${LAUNCHD_LOG_DIR}/outpost-agent.log`)}
</dict>
</plist>
`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
