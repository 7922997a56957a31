import { anyJson, NASTY_KEYS, nastyString } from '@outpost/protocol/testing/frames';
import fc from 'fast-check';

/**
 * Mutations of a valid JSON body, as the JSON text that is sent: a field dropped, duplicated (the
 * same key twice in the text) or of another type, a huge or odd unicode string, deep nesting, and
 * prototype-pollution keys (`__proto__`, `constructor.prototype`) at any depth.
 */
export interface Payload {
  text: string;
  label: string;
}

type Path = (string | number)[];

/** Every place in a value: the value itself and each property and element below it. */
function places(value: unknown, path: Path = [], found: Path[] = []): Path[] {
  found.push(path);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) places(item, [...path, index], found);
  } else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) places(item, [...path, key], found);
  return found;
}

function clone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function parentOf(
  root: unknown,
  path: Path,
): { parent: Record<string | number, unknown>; key: string | number } | null {
  if (path.length === 0) return null;
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  return { parent: node, key: path[path.length - 1] as string | number };
}

/** Sets an own property (even `__proto__`, which an assignment would take as the prototype). */
function setOwn(target: object, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

const SENTINEL = '\u0001outpost-fuzz-nested\u0001';

const MUTATIONS = ['drop', 'duplicate', 'retype', 'huge', 'unicode', 'deep', 'proto'] as const;
type MutationName = (typeof MUTATIONS)[number];

function mutate(
  valid: unknown,
  at: number,
  mutation: MutationName,
  replacement: unknown,
  size: number,
  odd: string,
  protoKey: string,
): Payload {
  const root = clone(valid);
  const all = places(root);
  const path = all[at % all.length] ?? [];
  const target = parentOf(root, path);
  const where = path.join('.') || '(body)';
  const set = (value: unknown) => {
    if (target) setOwn(target.parent, target.key, value);
    else return value;
    return root;
  };
  switch (mutation) {
    case 'drop': {
      if (!target) return { text: '', label: 'empty body' };
      if (Array.isArray(target.parent)) target.parent.splice(Number(target.key), 1);
      else delete target.parent[target.key];
      return { text: JSON.stringify(root), label: `${where} dropped` };
    }
    case 'duplicate': {
      const text = JSON.stringify(root) ?? 'null';
      if (!text.startsWith('{') || text === '{}')
        return { text: JSON.stringify(set(replacement)) ?? 'null', label: `${where} retyped` };
      const key = typeof path[0] === 'string' ? path[0] : Object.keys(root as object)[0];
      return {
        text: `{${JSON.stringify(key)}:${JSON.stringify(replacement) ?? 'null'},${text.slice(1)}`,
        label: `${key} twice`,
      };
    }
    case 'retype':
      return { text: JSON.stringify(set(replacement)) ?? 'null', label: `${where} retyped` };
    case 'huge':
      return {
        text: JSON.stringify(set(odd.repeat(Math.ceil((size * 64) / Math.max(1, odd.length))))),
        label: `${where} huge`,
      };
    case 'unicode':
      return { text: JSON.stringify(set(odd)) ?? 'null', label: `${where} odd string` };
    case 'deep': {
      const text = JSON.stringify(set(SENTINEL)) ?? 'null';
      const depth = size;
      const nested = `${'['.repeat(depth)}${JSON.stringify(replacement) ?? 'null'}${']'.repeat(depth)}`;
      return { text: text.replace(JSON.stringify(SENTINEL), nested), label: `${where} nested ${depth} deep` };
    }
    case 'proto': {
      let node: unknown = target ? target.parent[target.key] : root;
      if (!node || typeof node !== 'object') {
        node = {};
        set(node);
      }
      const polluted = protoKey === 'constructor' ? { prototype: { polluted: true } } : { polluted: true };
      setOwn(node as object, protoKey, polluted);
      return { text: JSON.stringify(target ? root : node), label: `${protoKey} in ${where}` };
    }
  }
}

/** A valid body with one mutation, as JSON text. */
export function mutatedBody(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Payload> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom(...MUTATIONS),
      anyJson,
      fc.integer({ min: 1, max: 20_000 }),
      fc.oneof(nastyString, fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })),
      fc.constantFrom('__proto__', 'constructor', ...NASTY_KEYS),
    )
    .map(([body, at, mutation, replacement, size, odd, protoKey]) =>
      mutate(body, at, mutation, replacement, size, odd || 'x', protoKey),
    );
}

/** Any JSON at all, as a body. */
export const anyBody: fc.Arbitrary<Payload> = fc.oneof(
  fc.json({ maxDepth: 4 }).map((text) => ({ text, label: 'any JSON' })),
  anyJson.map((value) => ({ text: JSON.stringify(value) ?? 'null', label: 'any value' })),
);
