import type { ComponentType } from 'react';
import {
  ActivityIcon,
  AgentIcon,
  ConnectionIcon,
  ExportIcon,
  FlowIcon,
  type IconProps,
  ImportIcon,
  KeyIcon,
  LayersIcon,
  ListIcon,
  ScriptIcon,
  UsersIcon,
} from '@/components/icons';

export interface NavigationItem {
  label: string;
  /** Path after the environment, e.g. `resources/agents`. */
  path: string;
  icon: ComponentType<IconProps>;
}

export interface NavigationSection {
  label: string;
  items: NavigationItem[];
}

/**
 * API tokens are listed with the resources: like agents and connections they belong to an
 * environment (and, on a legacy license, are shared by Production and Sandbox).
 */
export const NAVIGATION: NavigationSection[] = [
  {
    label: 'Resources',
    items: [
      { label: 'Agents', path: 'resources/agents', icon: AgentIcon },
      { label: 'Connections', path: 'resources/connections', icon: ConnectionIcon },
      { label: 'Exports', path: 'resources/exports', icon: ExportIcon },
      { label: 'Imports', path: 'resources/imports', icon: ImportIcon },
      { label: 'Flows', path: 'resources/flows', icon: FlowIcon },
      { label: 'Runs', path: 'resources/runs', icon: ActivityIcon },
      { label: 'Scripts', path: 'resources/scripts', icon: ScriptIcon },
      { label: 'API tokens', path: 'resources/api-tokens', icon: KeyIcon },
    ],
  },
  {
    label: 'Account settings',
    items: [
      { label: 'Members', path: 'settings/members', icon: UsersIcon },
      { label: 'Environments', path: 'settings/environments', icon: LayersIcon },
      { label: 'Audit log', path: 'settings/audit', icon: ListIcon },
    ],
  },
];
