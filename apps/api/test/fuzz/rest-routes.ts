import type { FastifyInstance } from 'fastify';
import { registeredRoutes } from '../support/route-table.ts';
import type { JsonSchema } from './json-schema.ts';

/** A `/v1` route with a body, query or path schema, as the OpenAPI document describes it. */
export interface FuzzedRoute {
  method: string;
  /** As registered: `/v1/connections/:id`. */
  route: string;
  body?: JsonSchema;
  query: { name: string; required: boolean; schema: JsonSchema }[];
  params: string[];
}

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
}

/**
 * Every registered `/v1` route (read from Fastify's route tree, as security.test.ts does) that
 * declares a schema, with that schema from `/docs/json`: a new route is fuzzed without an edit here.
 */
export async function fuzzedRoutes(app: FastifyInstance): Promise<FuzzedRoute[]> {
  const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const routes: FuzzedRoute[] = [];
  for (const registered of registeredRoutes(app)) {
    const [method = '', route = ''] = registered.split(' ');
    if (!route.startsWith('/v1/')) continue;
    const operation = document.paths[route.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${registered} is not in the OpenAPI document`);
    const parameters = operation.parameters ?? [];
    const fuzzed: FuzzedRoute = {
      method,
      route,
      body: operation.requestBody?.content?.['application/json']?.schema,
      query: parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => ({
          name: parameter.name,
          required: parameter.required ?? false,
          schema: parameter.schema,
        })),
      params: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
    };
    if (fuzzed.body || fuzzed.query.length > 0 || fuzzed.params.length > 0) routes.push(fuzzed);
  }
  return routes;
}
