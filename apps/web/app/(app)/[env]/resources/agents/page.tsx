import type { Metadata } from 'next';
import { AgentIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Agents' };

// Placeholder until the Agents list (+ Create agent, Show token, Install → Download) lands here.
export default function AgentsPage() {
  return (
    <ResourcePlaceholder
      title="Agents"
      summary="On-premise agents carry work from Outpost into your private network."
      icon={<AgentIcon size={22} />}
      emptyTitle="No agents yet"
      explanation="Install an agent on one machine inside your network. It dials out to Outpost and keeps the connection open, so connections in On-premise mode can reach databases and APIs that are never exposed to the internet."
    />
  );
}
