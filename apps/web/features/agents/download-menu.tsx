'use client';

import { type AgentDownload, AgentOs } from '@outpost/protocol/rest/agents';
import { buttonClassName } from '@/components/button';
import { ChevronDownIcon } from '@/components/icons';
import { Menu, MenuItem, MenuLabel, MenuLink, MenuSeparator, MenuText } from '@/components/menu';
import { osLabel } from './agent-host';
import styles from './agents.module.css';

const OSES = AgentOs.options;

/** Where Install → Download fetches the archive for one OS; the browser sends the session cookie. */
export function downloadHref(agentId: string, os: AgentOs): string {
  return `/api/v1/agents/${agentId}/download?${new URLSearchParams({ os })}`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function describe(download: AgentDownload | undefined) {
  if (!download) return undefined;
  return (
    <span className={styles.nowrap} title={`SHA-256 ${download.sha256}`}>
      {download.fileName} · {formatSize(download.sizeBytes)}
    </span>
  );
}

function versionOf(downloads: AgentDownload[] | undefined): string | undefined {
  return downloads?.[0]?.version;
}

const trigger = (
  <>
    Download
    <ChevronDownIcon size={14} />
  </>
);

/** The Install column: Download ▾ → Windows, macOS, Linux. */
export function DownloadMenu({
  agentName,
  agentId,
  downloads,
}: {
  agentName: string;
  agentId: string;
  /** The archives' names and sizes, when known (`GET /v1/agent-downloads`). */
  downloads: AgentDownload[] | undefined;
}) {
  const version = versionOf(downloads);
  return (
    <Menu
      label={`Download for ${agentName}`}
      triggerClassName={buttonClassName({ size: 'small' })}
      trigger={trigger}
    >
      <MenuLabel>{version ? `Outpost agent ${version}` : 'Outpost agent'}</MenuLabel>
      {OSES.map((os) => (
        <MenuLink
          key={os}
          href={downloadHref(agentId, os)}
          download
          description={describe(downloads?.find((download) => download.os === os))}
        >
          {osLabel(os)}
        </MenuLink>
      ))}
      <MenuSeparator />
      <MenuText>
        Runs on Node.js 20 or later. The token is not in the download: copy it with Show token.
      </MenuText>
    </Menu>
  );
}

/**
 * Download ▾ before there is any agent: a download belongs to an agent, so choosing an OS first
 * creates the agent, then offers that OS's archive.
 */
export function DownloadBeforeCreateMenu({ onChoose }: { onChoose: (os: AgentOs) => void }) {
  return (
    <Menu
      label="Download the agent"
      triggerClassName={buttonClassName({})}
      trigger={
        <>
          Download the agent <ChevronDownIcon size={15} />
        </>
      }
    >
      <MenuText>Name the agent first: its download follows.</MenuText>
      {OSES.map((os) => (
        <MenuItem key={os} onSelect={() => onChoose(os)}>
          {osLabel(os)}
        </MenuItem>
      ))}
    </Menu>
  );
}
