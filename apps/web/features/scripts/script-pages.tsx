'use client';

import type { Script } from '@outpost/protocol/rest/scripts';
import { ScriptIcon } from '@/components/icons';
import { resourcePages } from '@/features/resources/resource-pages';
import { ScriptForm } from './script-form';

/** Resources → Scripts → Create script, and one script's editor (read-only for MONITOR). */
const pages = resourcePages<Script>(
  { kind: 'scripts', title: 'Script', plural: 'Scripts', noun: 'script', icon: ScriptIcon },
  ScriptForm,
);
export const NewScriptPage = pages.NewResourcePage;
export const EditScriptPage = pages.EditResourcePage;
