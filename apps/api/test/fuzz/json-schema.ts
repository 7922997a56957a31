import fc from 'fast-check';

/**
 * fast-check values for a route's JSON Schema (as the OpenAPI document at `/docs/json` gives it,
 * generated from the zod schemas): values that are valid or nearly so, so that mutations of them
 * reach past validation. Ids (`format: uuid`) are mostly the tenant's own, so that requests reach
 * the database; URLs are loopback ones, which the outbound policy refuses without a network.
 */
export interface JsonSchema {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export interface SchemaContext {
  /** Ids of the tenant's resources, for `format: uuid`. */
  ids: string[];
}

const LOOPBACK_URL = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    fc.constantFrom('127.0.0.1', 'localhost', '[::1]', '127.0.0.2'),
    fc.integer({ min: 1, max: 65_535 }),
    fc.webPath(),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}:${port}${path}`);

function stringArbitrary(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, 40));
  switch (schema.format) {
    case 'uuid':
      return context.ids.length > 0
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...context.ids) }, fc.uuid())
        : fc.uuid();
    case 'email':
      return fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254));
    case 'uri':
      return LOOPBACK_URL;
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  }
  if (schema.pattern) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(schema.pattern);
    } catch {
      return fc.string({ minLength, maxLength });
    }
    return fc.stringMatching(pattern, { size: 'xsmall' });
  }
  return fc.string({ unit: 'grapheme', minLength, maxLength });
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const exclusiveMin = schema.exclusiveMinimum === true ? 1 : 0;
  const exclusiveMax = schema.exclusiveMaximum === true ? 1 : 0;
  const min =
    typeof schema.exclusiveMinimum === 'number'
      ? schema.exclusiveMinimum + 1
      : (schema.minimum ?? -1_000_000) + exclusiveMin;
  const max =
    typeof schema.exclusiveMaximum === 'number'
      ? schema.exclusiveMaximum - 1
      : (schema.maximum ?? 1_000_000) - exclusiveMax;
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function objectArbitrary(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const shape = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, schemaArbitrary(property, context)]),
  );
  const known = fc.record(shape, { requiredKeys: (schema.required ?? []).filter((name) => name in shape) });
  const extra = schema.additionalProperties;
  if (!extra || typeof extra !== 'object' || Object.keys(properties).length > 0) return known;
  const keys = schema.propertyNames
    ? stringArbitrary(schema.propertyNames, context)
    : fc.string({ maxLength: 20 });
  return fc.dictionary(keys, schemaArbitrary(extra, context), { maxKeys: 4 });
}

/** Values of one JSON Schema; schema keywords this does not know give any JSON value. */
export function schemaArbitrary(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<unknown> {
  const alternatives = schema.oneOf ?? schema.anyOf;
  let arbitrary: fc.Arbitrary<unknown>;
  if (alternatives?.length)
    arbitrary = fc.oneof(...alternatives.map((each) => schemaArbitrary(each, context)));
  else if (schema.allOf?.[0]) arbitrary = schemaArbitrary(schema.allOf[0], context);
  else if (schema.const !== undefined) arbitrary = fc.constant(schema.const);
  else if (schema.enum?.length) arbitrary = fc.constantFrom(...schema.enum);
  else {
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const each = types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'string':
          return stringArbitrary(schema, context);
        case 'integer':
        case 'number':
          return numberArbitrary(schema, type === 'integer');
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return fc.array(schema.items ? schemaArbitrary(schema.items, context) : fc.jsonValue(), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
          });
        case 'object':
          return objectArbitrary(schema, context);
        default:
          return fc.jsonValue({ maxDepth: 2 });
      }
    });
    arbitrary = each.length === 0 ? fc.jsonValue({ maxDepth: 2 }) : fc.oneof(...each);
  }
  return schema.nullable ? fc.option(arbitrary, { nil: null, freq: 5 }) : arbitrary;
}
