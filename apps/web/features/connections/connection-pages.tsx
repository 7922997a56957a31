'use client';

import type { Connection } from '@outpost/protocol/rest/connections';
import { ConnectionIcon } from '@/components/icons';
import { resourcePages } from '@/features/resources/resource-pages';
import { ConnectionForm } from './connection-form';

/** Resources → Connections → Create connection, and one connection to change and test. */
const pages = resourcePages<Connection>(
  {
    kind: 'connections',
    title: 'Connection',
    plural: 'Connections',
    noun: 'connection',
    icon: ConnectionIcon,
  },
  ConnectionForm,
);
export const NewConnectionPage = pages.NewResourcePage;
export const EditConnectionPage = pages.EditResourcePage;
