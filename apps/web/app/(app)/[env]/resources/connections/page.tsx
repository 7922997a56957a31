import type { Metadata } from 'next';
import { ConnectionIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Connections' };

export default function ConnectionsPage() {
  return (
    <ResourcePlaceholder
      title="Connections"
      summary="How Outpost reaches each of your systems, and with which credentials."
      icon={<ConnectionIcon size={22} />}
      emptyTitle="No connections yet"
      explanation="A connection describes one system: an HTTP API, a PostgreSQL or a MySQL database. In Mode: Cloud, Outpost connects to it directly; in Mode: On-premise, it goes through one of your agents, with Base URI localhost when the system runs on the agent's machine."
    />
  );
}
