import {
  type Connection,
  CreateConnectionBody,
  UpdateConnectionBody,
} from '@outpost/protocol/rest/connections';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionDraft,
  changeType,
  createBody,
  draftFromConnection,
  emptyDraft,
  isDirty,
  secretIsStored,
  updateBody,
  validateDraft,
} from './connection-draft';

const AGENT_ID = '00000000-0000-4000-8000-000000000001';

function onPremiseHttp(): ConnectionDraft {
  const draft = emptyDraft();
  draft.name = ' ERP on VM2 ';
  draft.mode = 'ON_PREMISE';
  draft.agentId = AGENT_ID;
  draft.http.baseUri = 'http://localhost:8080 ';
  draft.http.testPath = '/health';
  return draft;
}

function savedConnection(fields: Partial<Connection> = {}): Connection {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    name: 'ERP on VM2',
    type: 'HTTP',
    mode: 'ON_PREMISE',
    agent: { id: AGENT_ID, name: 'Warehouse network', status: 'online' },
    http: {
      baseUri: 'http://localhost:8080',
      testPath: '/health',
      headers: { 'X-Tenant': 'acme' },
      auth: {
        type: 'oauth2_client_credentials',
        tokenUrl: 'http://localhost:9000/token',
        clientId: 'outpost',
        clientAuth: 'client_secret_basic',
        scope: 'read',
        clientSecretSet: true,
      },
    },
    sql: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

describe('a new connection', () => {
  it('starts as HTTP in Mode Cloud, with the test path / and the PostgreSQL port ready', () => {
    const draft = emptyDraft();
    expect(draft.mode).toBe('CLOUD');
    expect(draft.http.testPath).toBe('/');
    expect(changeType(draft, 'POSTGRES').sql.port).toBe('5432');
    expect(changeType(changeType(draft, 'POSTGRES'), 'MYSQL').sql.port).toBe('3306');
  });

  it('keeps a port someone typed when the type changes', () => {
    const draft = changeType(emptyDraft(), 'POSTGRES');
    draft.sql.port = '6432';
    expect(changeType(draft, 'MYSQL').sql.port).toBe('6432');
  });

  it('sends an On-premise HTTP connection with its agent, trimmed, as the API expects', () => {
    const body = createBody(onPremiseHttp());
    expect(body).toEqual({
      name: 'ERP on VM2',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId: AGENT_ID,
      http: { baseUri: 'http://localhost:8080', testPath: '/health', auth: { type: 'none' } },
    });
    expect(CreateConnectionBody.safeParse(body).success).toBe(true);
  });

  it('sends no agent in Mode Cloud, even if one was picked before switching', () => {
    const draft = onPremiseHttp();
    draft.mode = 'CLOUD';
    draft.http.baseUri = 'https://erp.example.com';
    expect(createBody(draft)).not.toHaveProperty('agentId');
    expect(updateBody(draft)).toMatchObject({ mode: 'CLOUD', agentId: null });
  });

  it('sends the auth fields of the chosen type only, and headers that were filled in', () => {
    const draft = onPremiseHttp();
    draft.http.auth = {
      ...draft.http.auth,
      type: 'oauth2_authorization_code',
      authorizeUrl: 'http://localhost:9000/authorize',
      tokenUrl: 'http://localhost:9000/token',
      clientId: 'outpost',
      clientSecret: 's3cret ',
      scope: '',
      username: 'left over from basic',
    };
    draft.http.headers = [
      { name: 'X-Tenant', value: 'acme' },
      { name: '', value: '' },
    ];
    const body = createBody(draft);
    expect(body).toMatchObject({
      http: {
        headers: { 'X-Tenant': 'acme' },
        auth: {
          type: 'oauth2_authorization_code',
          authorizeUrl: 'http://localhost:9000/authorize',
          tokenUrl: 'http://localhost:9000/token',
          clientId: 'outpost',
          clientSecret: 's3cret ',
          clientAuth: 'client_secret_basic',
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain('left over');
    expect(JSON.stringify(body)).not.toContain('scope');
    expect(CreateConnectionBody.safeParse(body).success).toBe(true);
  });

  it('sends a SQL connection with a numeric port, and the CA only for verify-full', () => {
    const draft = changeType(emptyDraft(), 'MYSQL');
    Object.assign(draft, { name: 'Orders DB', mode: 'ON_PREMISE', agentId: AGENT_ID });
    draft.sql = { ...draft.sql, host: 'localhost', database: 'orders', user: 'outpost', password: 'pw' };
    draft.sql.ca = '-----BEGIN CERTIFICATE-----';
    const body = createBody(draft);
    expect(body).toEqual({
      name: 'Orders DB',
      type: 'MYSQL',
      mode: 'ON_PREMISE',
      agentId: AGENT_ID,
      sql: {
        host: 'localhost',
        port: 3306,
        database: 'orders',
        user: 'outpost',
        password: 'pw',
        tls: 'prefer',
      },
    });
    draft.sql.tls = 'verify-full';
    expect(createBody(draft)).toMatchObject({ sql: { ca: '-----BEGIN CERTIFICATE-----' } });
  });
});

describe('checking the form', () => {
  it('asks for an agent in Mode On-premise, and for a URL as the base URI', () => {
    const draft = onPremiseHttp();
    draft.agentId = '';
    draft.http.baseUri = 'localhost:8080';
    expect(validateDraft(draft)).toEqual({
      agentId: 'Choose the agent that runs this connection',
      'http.baseUri': 'Enter an http:// or https:// URL, e.g. http://localhost:8080',
    });
  });

  it('asks for the secrets of a new connection', () => {
    const draft = onPremiseHttp();
    draft.http.auth = { ...draft.http.auth, type: 'basic', username: 'erp' };
    expect(validateDraft(draft)).toEqual({ 'http.auth.password': 'Enter the password' });
    draft.http.auth.password = 'pw';
    expect(validateDraft(draft)).toEqual({});
  });

  it('accepts a blank secret on edit when the saved connection holds it, for the same auth type only', () => {
    const saved = savedConnection();
    const draft = draftFromConnection(saved);
    expect(validateDraft(draft, saved)).toEqual({});
    draft.http.auth.type = 'oauth2_authorization_code';
    draft.http.auth.authorizeUrl = 'http://localhost:9000/authorize';
    expect(validateDraft(draft, saved)).toEqual({ 'http.auth.clientSecret': 'Enter the client secret' });
  });

  it('checks SQL host, port, database and user', () => {
    const draft = changeType(emptyDraft(), 'POSTGRES');
    draft.name = 'Orders DB';
    draft.sql.port = '70000';
    expect(Object.keys(validateDraft(draft))).toEqual(['sql.host', 'sql.port', 'sql.database', 'sql.user']);
  });

  it('passes header names the API would refuse back by their row', () => {
    const draft = onPremiseHttp();
    draft.http.headers = [{ name: 'X Bad', value: '1' }];
    expect(validateDraft(draft)).toEqual({
      'http.headers.0': 'A header name has letters, digits and - only',
    });
  });
});

describe('editing a saved connection', () => {
  it('fills the form from the connection, with every secret blank', () => {
    const draft = draftFromConnection(savedConnection());
    expect(draft).toMatchObject({
      name: 'ERP on VM2',
      mode: 'ON_PREMISE',
      agentId: AGENT_ID,
      http: {
        baseUri: 'http://localhost:8080',
        headers: [{ name: 'X-Tenant', value: 'acme' }],
        auth: { type: 'oauth2_client_credentials', clientId: 'outpost', scope: 'read', clientSecret: '' },
      },
    });
    expect(isDirty(draft, draftFromConnection(savedConnection()))).toBe(false);
  });

  it('leaves an untyped secret out (the API keeps it) and sends a typed one', () => {
    const draft = draftFromConnection(savedConnection());
    const kept = updateBody(draft);
    expect(JSON.stringify(kept)).not.toContain('clientSecret');
    expect(UpdateConnectionBody.safeParse(kept).success).toBe(true);
    draft.http.auth.clientSecret = 'rotated';
    expect(updateBody(draft)).toMatchObject({ http: { auth: { clientSecret: 'rotated' } } });
    expect(isDirty(draft, draftFromConnection(savedConnection()))).toBe(true);
  });

  it('knows which secrets are stored', () => {
    const saved = savedConnection();
    const draft = draftFromConnection(saved);
    expect(secretIsStored(saved, draft, 'http.auth.clientSecret')).toBe(true);
    expect(secretIsStored(saved, draft, 'http.auth.password')).toBe(false);
    expect(secretIsStored(undefined, draft, 'http.auth.clientSecret')).toBe(false);
    const sql = savedConnection({
      type: 'POSTGRES',
      http: null,
      sql: { host: 'db', port: 5432, database: 'orders', user: 'outpost', tls: 'prefer', passwordSet: true },
    });
    expect(secretIsStored(sql, draftFromConnection(sql), 'sql.password')).toBe(true);
  });
});
