'use client';

import type {
  Connection,
  ConnectionMode,
  ConnectionTestResult,
  ConnectionType,
  OAuthAuthorizeResponse,
} from '@outpost/protocol/rest/connections';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { Alert } from '@/components/alert';
import { Badge } from '@/components/badge';
import { Button, ButtonLink } from '@/components/button';
import { TextField } from '@/components/field';
import { FormSection, formStyles } from '@/components/form-layout';
import { ActivityIcon, AgentIcon, CloudIcon, DatabaseIcon, GlobeIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { SegmentedControl } from '@/components/segmented-control';
import { useToast } from '@/components/toast';
import { ApiError, errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { withoutFieldErrors } from '@/lib/form-errors';
import { useApi } from '@/lib/use-api';
import { AgentPicker } from './agent-picker';
import { AuthFields } from './auth-fields';
import {
  type AuthDraft,
  type ConnectionDraft,
  changeType,
  createBody,
  draftFromConnection,
  emptyDraft,
  type FieldErrors,
  isDirty,
  MODE_LABELS,
  TYPE_LABELS,
  updateBody,
  validateDraft,
} from './connection-draft';
import { HttpEndpointFields } from './http-fields';
import { OAuthConnect } from './oauth-connect';
import { connectionPath, connectionsPath } from './paths';
import { SqlFields } from './sql-fields';
import { ADDRESS_FIELDS, type TestOutcome } from './test-outcome';
import { TestResult } from './test-result';

const TYPE_OPTIONS = [
  { value: 'HTTP', label: TYPE_LABELS.HTTP, icon: <GlobeIcon size={15} /> },
  { value: 'POSTGRES', label: TYPE_LABELS.POSTGRES, icon: <DatabaseIcon size={15} /> },
  { value: 'MYSQL', label: TYPE_LABELS.MYSQL, icon: <DatabaseIcon size={15} /> },
] as const;

const MODE_OPTIONS = [
  { value: 'CLOUD', label: MODE_LABELS.CLOUD, icon: <CloudIcon size={15} /> },
  { value: 'ON_PREMISE', label: MODE_LABELS.ON_PREMISE, icon: <AgentIcon size={15} /> },
] as const;

const MODE_HINTS: Record<ConnectionMode, string> = {
  CLOUD:
    'Outpost connects to the system directly, over the internet. For a system inside a private network, choose On-premise.',
  ON_PREMISE:
    'An agent inside your network connects for Outpost: the system is never exposed to the internet.',
};

type SaveResult =
  | { ok: true; connection: Connection }
  | { ok: false; title: string; message: string; blockedPrivateAddress: boolean };

type Busy = 'save' | 'test' | 'connect';

/**
 * Create or edit a connection: Type, Name, Mode (Cloud / On-premise with its Agent), the endpoint,
 * the auth that fits the type, Test connection with the result in place, Save. A new connection is
 * saved before it is tested, and changes are saved before they are tested: the API tests what it
 * holds. After the first save the page becomes the connection's own (its URL changes in place).
 */
export function ConnectionForm({ initial, readOnly }: { initial?: Connection; readOnly: boolean }) {
  const api = useApi();
  const toast = useToast();
  const environment = useEnvironment();
  const [saved, setSaved] = useState(initial);
  const [baseline, setBaseline] = useState<ConnectionDraft>(() =>
    initial ? draftFromConnection(initial) : emptyDraft(),
  );
  const [draft, setDraft] = useState(baseline);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState<Busy>();
  const [outcome, setOutcome] = useState<TestOutcome>();
  const [notice, setNotice] = useState<{ tone: 'success' | 'danger'; message: string }>();
  const formRef = useRef<HTMLFormElement>(null);
  /** Set when the page hands the browser to the authorization server: no "leave page?" then. */
  const leaving = useRef(false);
  const dirty = isDirty(draft, baseline);

  // Back from Connect: the API appended how it went.
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    const oauth = params.get('oauth');
    if (!oauth) return;
    setNotice(
      oauth === 'connected'
        ? { tone: 'success', message: 'Connected: Outpost now holds a token for this connection.' }
        : { tone: 'danger', message: params.get('message') ?? 'Connect did not finish.' },
    );
    for (const name of ['oauth', 'message', 'code', 'connection']) params.delete(name);
    const query = params.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
  }, []);

  useEffect(() => {
    if (!dirty || readOnly) return;
    const warn = (event: BeforeUnloadEvent) => {
      if (!leaving.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, readOnly]);

  /** Applies a change; the errors of the fields it touches go, and so does a test of other settings. */
  function edit(change: (current: ConnectionDraft) => ConnectionDraft, fields: string[]) {
    setDraft(change);
    setOutcome(undefined);
    setFormError(undefined);
    setErrors((current) => withoutFieldErrors(current, fields));
  }

  const setName = (name: string) => edit((current) => ({ ...current, name }), ['name']);
  const setType = (type: ConnectionType) =>
    edit((current) => changeType(current, type), ['type', 'http', 'sql']);
  // Whether an address may be reached depends on the mode: its refusal goes with the old mode.
  const setMode = (mode: ConnectionMode) =>
    edit((current) => ({ ...current, mode }), ['mode', 'agentId', ...ADDRESS_FIELDS]);
  const setAgent = (agentId: string) => edit((current) => ({ ...current, agentId }), ['agentId']);
  const setHttp = (patch: Partial<ConnectionDraft['http']>) =>
    edit(
      (current) => ({ ...current, http: { ...current.http, ...patch } }),
      Object.keys(patch).map((key) => `http.${key}`),
    );
  const setAuth = (patch: Partial<AuthDraft>) =>
    edit(
      (current) => ({ ...current, http: { ...current.http, auth: { ...current.http.auth, ...patch } } }),
      patch.type ? ['http.auth'] : Object.keys(patch).map((key) => `http.auth.${key}`),
    );
  const setSql = (patch: Partial<ConnectionDraft['sql']>) =>
    edit(
      (current) => ({ ...current, sql: { ...current.sql, ...patch } }),
      Object.keys(patch).map((key) => `sql.${key}`),
    );
  const chooseOnPremise = () => setMode('ON_PREMISE');

  /** Focuses the first field with an error; a message for a field the form does not show goes above the buttons. */
  function revealErrors(fallback: string) {
    requestAnimationFrame(() => {
      const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (invalid) invalid.focus();
      else setFormError(fallback);
    });
  }

  async function save(): Promise<SaveResult> {
    const invalid = validateDraft(draft, saved);
    setErrors(invalid);
    setFormError(undefined);
    const firstProblem = Object.values(invalid)[0];
    if (firstProblem !== undefined) {
      revealErrors(firstProblem);
      return {
        ok: false,
        title: 'Not tested: check the highlighted fields',
        message: firstProblem,
        blockedPrivateAddress: false,
      };
    }
    try {
      const connection = saved
        ? await api.patch<Connection>(`/v1/connections/${saved.id}`, updateBody(draft))
        : await api.post<Connection>('/v1/connections', createBody(draft));
      const fresh = draftFromConnection(connection);
      setSaved(connection);
      setBaseline(fresh);
      setDraft(fresh);
      // The page is the connection's own from now on; a reload opens it for editing.
      if (!saved) window.history.replaceState(null, '', connectionPath(environment.slug, connection.id));
      return { ok: true, connection };
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      if (error instanceof ApiError && error.status === 409 && Object.keys(fields).length === 0)
        fields.name = error.message;
      setErrors(fields);
      const message = Object.values(fields)[0] ?? errorMessage(error);
      if (Object.keys(fields).length > 0) revealErrors(message);
      else setFormError(message);
      return {
        ok: false,
        title: 'Not tested: the connection could not be saved',
        message,
        blockedPrivateAddress:
          draft.mode === 'CLOUD' && ADDRESS_FIELDS.some((field) => fields[field]?.includes('On-premise')),
      };
    }
  }

  async function onSave() {
    setBusy('save');
    setOutcome(undefined);
    const result = await save();
    setBusy(undefined);
    if (result.ok) toast(`${result.connection.name} was saved`);
  }

  async function test() {
    setBusy('test');
    setOutcome(undefined);
    try {
      let target = saved;
      if (!target || dirty) {
        const result = await save();
        if (!result.ok) {
          const { title, message, blockedPrivateAddress } = result;
          setOutcome({ kind: 'not_run', title, message, blockedPrivateAddress });
          return;
        }
        target = result.connection;
      }
      const result = await api.post<ConnectionTestResult>(`/v1/connections/${target.id}/test`);
      setOutcome({
        kind: 'result',
        result,
        via: target.mode === 'ON_PREMISE' ? (target.agent?.name ?? null) : null,
      });
    } catch (error) {
      setOutcome({
        kind: 'not_run',
        title: 'Could not run the test',
        message: errorMessage(error),
        blockedPrivateAddress: false,
      });
    } finally {
      setBusy(undefined);
    }
  }

  async function connect() {
    setBusy('connect');
    setOutcome(undefined);
    try {
      let target = saved;
      if (!target || dirty) {
        const result = await save();
        if (!result.ok) {
          setBusy(undefined);
          return;
        }
        target = result.connection;
      }
      const returnTo = encodeURIComponent(connectionPath(environment.slug, target.id));
      const { url } = await api.get<OAuthAuthorizeResponse>(
        `/v1/connections/${target.id}/oauth/authorize?returnTo=${returnTo}`,
      );
      leaving.current = true;
      window.location.assign(url);
    } catch (error) {
      setBusy(undefined);
      toast(errorMessage(error), 'danger');
    }
  }

  const listHref = connectionsPath(environment.slug);
  const pickedAgentName =
    saved?.agent?.id === draft.agentId ? saved.agent.name : draft.agentId ? 'the agent' : null;

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            Resources / <Link href={listHref}>Connections</Link>
          </>
        }
        title={saved ? saved.name : 'New connection'}
        description={
          saved ? (
            <span className={formStyles.headerMeta}>
              <Badge>{TYPE_LABELS[saved.type]}</Badge>
              <Badge tone={saved.mode === 'ON_PREMISE' ? 'accent' : 'neutral'}>
                {MODE_LABELS[saved.mode]}
              </Badge>
              {saved.mode === 'ON_PREMISE' && saved.agent ? <span>through {saved.agent.name}</span> : null}
            </span>
          ) : (
            'Describe the system, choose where the connection runs, and test it.'
          )
        }
      />
      <form
        ref={formRef}
        noValidate
        className={formStyles.form}
        aria-label={saved ? `Connection ${saved.name}` : 'New connection'}
        onSubmit={(event) => {
          event.preventDefault();
          if (!readOnly && !busy) void onSave();
        }}
      >
        {notice ? (
          <div className={formStyles.notice}>
            <Alert tone={notice.tone} title={notice.tone === 'success' ? 'Connected' : 'Connect failed'}>
              {notice.message}
            </Alert>
          </div>
        ) : null}
        {readOnly ? (
          <div className={formStyles.notice}>
            <Alert tone="info">
              You can view this connection. An owner, admin or manager of the account can change or test it.
            </Alert>
          </div>
        ) : null}
        <fieldset className={formStyles.plainFieldset} disabled={readOnly || busy === 'connect'}>
          <FormSection
            title="Connection"
            description="The kind of system, and the name that exports, imports and flows know it by."
          >
            <SegmentedControl
              label="Type"
              value={draft.type}
              options={TYPE_OPTIONS}
              onChange={setType}
              disabled={saved !== undefined}
              hint={saved ? 'The type of a saved connection stays as it is.' : undefined}
            />
            <TextField
              label="Name"
              name="name"
              value={draft.name}
              onChange={(event) => setName(event.target.value)}
              placeholder={draft.type === 'HTTP' ? 'ERP on VM2' : 'Orders database'}
              error={errors.name}
              autoComplete="off"
              maxLength={100}
              autoFocus={!saved}
            />
          </FormSection>

          <FormSection
            title="Where it runs"
            description={
              <>
                Cloud for a system on the internet; On-premise for one inside your network, reached through
                one of your agents.
              </>
            }
          >
            <SegmentedControl
              label="Mode"
              value={draft.mode}
              options={MODE_OPTIONS}
              onChange={setMode}
              hint={MODE_HINTS[draft.mode]}
            />
            {draft.mode === 'ON_PREMISE' ? (
              <AgentPicker
                value={draft.agentId}
                onChange={setAgent}
                error={errors.agentId}
                saved={saved?.agent}
              />
            ) : null}
          </FormSection>

          <FormSection
            title={draft.type === 'HTTP' ? 'Endpoint' : 'Database'}
            description={
              draft.mode === 'ON_PREMISE'
                ? 'As the agent sees it: the same address you would use on the agent’s machine.'
                : 'As the internet sees it.'
            }
          >
            {draft.type === 'HTTP' ? (
              <HttpEndpointFields
                http={draft.http}
                mode={draft.mode}
                errors={errors}
                onChange={setHttp}
                onChooseOnPremise={readOnly ? undefined : chooseOnPremise}
              />
            ) : (
              <SqlFields
                draft={draft}
                saved={saved}
                errors={errors}
                onChange={setSql}
                onChooseOnPremise={readOnly ? undefined : chooseOnPremise}
              />
            )}
          </FormSection>

          {draft.type === 'HTTP' ? (
            <FormSection
              title="Authentication"
              description="How Outpost proves who it is. Secrets are encrypted, and never shown again once saved."
            >
              <AuthFields
                draft={draft}
                saved={saved}
                errors={errors}
                onChange={setAuth}
                connect={
                  readOnly ? null : (
                    <OAuthConnect
                      saved={saved}
                      busy={busy === 'connect'}
                      disabled={busy !== undefined && busy !== 'connect'}
                      onConnect={() => void connect()}
                    />
                  )
                }
              />
            </FormSection>
          ) : null}
        </fieldset>

        {readOnly ? null : (
          <footer className={formStyles.footer}>
            {outcome ? (
              <TestResult
                outcome={outcome}
                onChooseOnPremise={draft.mode === 'CLOUD' ? chooseOnPremise : undefined}
              />
            ) : null}
            {formError ? (
              <Alert tone="danger" className={formStyles.result}>
                {formError}
              </Alert>
            ) : null}
            <div className={formStyles.footerBar}>
              <Button
                onClick={() => void test()}
                busy={busy === 'test'}
                disabled={busy !== undefined && busy !== 'test'}
              >
                {busy === 'test' ? null : <ActivityIcon size={15} />}
                Test connection
              </Button>
              <span className={formStyles.saveState} aria-live="polite">
                {saveState()}
              </span>
              <div className={formStyles.footerEnd}>
                <ButtonLink href={listHref} variant="ghost">
                  {saved && !dirty ? 'Back to connections' : 'Cancel'}
                </ButtonLink>
                <Button
                  type="submit"
                  variant="primary"
                  busy={busy === 'save'}
                  disabled={(busy !== undefined && busy !== 'save') || (saved !== undefined && !dirty)}
                >
                  Save
                </Button>
              </div>
            </div>
          </footer>
        )}
      </form>
    </>
  );

  function saveState(): string {
    if (busy === 'test') {
      if (draft.mode === 'CLOUD') return "Testing from Outpost's cloud…";
      return pickedAgentName ? `Testing through ${pickedAgentName}…` : 'Testing…';
    }
    if (busy === 'save') return 'Saving…';
    if (!saved) return 'Test connection saves the connection first.';
    return dirty ? 'Unsaved changes: Test connection saves them first.' : 'All changes saved.';
  }
}
