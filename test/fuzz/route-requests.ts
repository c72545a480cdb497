/**
 * Requests for every route, derived from its request contract (the object its handler is built
 * from): each path parameter, query field, header and body field the contract names gets a value
 * that is valid for its schema (generated from the schema itself: picklists, regexes, ranges), a
 * value of the real state (a seeded workset's id, its customer, its lease holder and epoch, so
 * requests get past the 404s), or a hostile one (hostile-values.ts); fields go missing, unknown
 * ones appear, and the body comes as JSON, base64, the wrong media type or not JSON at all.
 *
 * A request here is transport-neutral: the vitest properties hand it to `call()` (an API Gateway
 * event), `npm run fuzz` sends it over HTTP to the local server.
 */
import fc from 'fast-check';
import type { GenericSchema } from 'valibot';
import type { HttpEntry } from '../../infra/entry-points.ts';
import { allowedTargets } from '../../lambdas/lib/domain/lifecycle.ts';
import type { WorksetState } from '../../lambdas/lib/domain/workset.ts';
import { contentType, forgedCursor, hostileJson, hostileKey, hostileString, nonObjectBody } from './hostile-values.ts';

export interface HostileRequest {
  readonly routeId: string;
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text; base64 text when `base64` (API Gateway's `isBase64Encoded`). */
  readonly body?: string;
  readonly base64?: boolean;
}

/** A seeded workset the requests aim at. */
export interface FuzzTarget {
  readonly workset_id: string;
  readonly customer_id: string;
  readonly state: WorksetState;
  readonly lock_owner?: string;
  readonly lease_epoch?: number;
}

/** The real state requests draw on (fuzz-pool.ts seeds it). */
export interface FuzzPool {
  readonly targets: readonly FuzzTarget[];
  /** Listing cursors some earlier page really gave. */
  readonly cursors?: readonly string[];
}

type Node = GenericSchema & {
  readonly type: string;
  readonly kind?: string;
  readonly requirement?: unknown;
  readonly pipe?: readonly Node[];
  readonly wrapped?: Node;
  readonly options?: readonly (Node | string)[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
};

const action = (node: Node, type: string): Node | undefined => node.pipe?.find((step) => step.type === type && step.kind !== 'schema');

/** An integer range a pipe checks (`min_value`/`max_value`), also through a nested number schema. */
function integerRange(node: Node): { min: number; max: number } | undefined {
  const steps = node.pipe ?? [];
  const nested = steps.find((step) => step.kind === 'schema' && step.type === 'number' && step !== steps[0]);
  const source = nested ?? node;
  const min = action(source, 'min_value')?.requirement;
  const max = action(source, 'max_value')?.requirement;
  if (typeof min !== 'number' && typeof max !== 'number') return undefined;
  return { min: typeof min === 'number' ? min : 0, max: Math.min(typeof max === 'number' ? max : 1_000_000, Number.MAX_SAFE_INTEGER) };
}

function validString(node: Node): fc.Arbitrary<string> {
  const maxLength = action(node, 'max_length')?.requirement;
  const max = typeof maxLength === 'number' ? maxLength : 64;
  // Digits turned into a number and range-checked: a number in the range, as text.
  if (action(node, 'transform') && integerRange(node)) {
    const { min, max: top } = integerRange(node)!;
    return fc.integer({ min, max: top }).map(String);
  }
  if (action(node, 'email')) return fc.emailAddress();
  // An ISO-8601 timestamp pattern: a real date (a regex-shaped 0000-00-00 only ever meets the date check).
  if (String(action(node, 'regex')?.requirement).includes('\\d{4}-\\d{2}-\\d{2}T')) {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
  }
  const regex = action(node, 'regex')?.requirement;
  if (regex instanceof RegExp) return fc.stringMatching(regex, { size: 'xsmall' }).filter((value) => value.length <= max && value.trim() === value);
  return fc.string({ minLength: 1, maxLength: Math.min(max, 40) }).filter((value) => value.trim() !== '');
}

/** A value `schema` accepts (mostly: checks beyond its regexes and ranges are not solved). */
export function validValue(schema: GenericSchema): fc.Arbitrary<unknown> {
  const node = schema as Node;
  switch (node.type) {
    case 'optional':
    case 'nullish':
      return validValue(node.wrapped!);
    case 'nullable':
      return fc.oneof(fc.constant(null), validValue(node.wrapped!));
    case 'picklist':
      return fc.constantFrom(...(node.options as string[]));
    case 'boolean':
      return fc.boolean();
    case 'number': {
      const range = integerRange(node) ?? { min: 0, max: 1_000 };
      return fc.integer(range);
    }
    case 'string':
      return validString(node);
    case 'union':
      return fc.oneof(...(node.options as Node[]).map(validValue));
    case 'object':
    case 'strict_object':
    case 'loose_object': {
      const entries = Object.entries(node.entries ?? {});
      const required = entries.filter(([, entry]) => entry.type !== 'optional' && entry.type !== 'nullish').map(([name]) => name);
      return fc.record(Object.fromEntries(entries.map(([name, entry]) => [name, validValue(entry)])), { requiredKeys: required });
    }
    case 'array':
      return fc.array(validValue(node.item!), { maxLength: 3 });
    case 'record':
      return fc.dictionary(validString(node.key!), validValue(node.value!), { maxKeys: 4 });
    default:
      // `custom` (metric values) and anything else: small JSON of the kinds DynamoDB stores.
      return fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constantFrom(0.5, -2.25, 1e-3, 12345.678), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
  }
}

/** The field names of an object schema (through its pipe). */
function objectEntries(schema: GenericSchema): Readonly<Record<string, Node>> {
  return (schema as Node).entries ?? {};
}

const isOptional = (schema: Node): boolean => schema.type === 'optional' || schema.type === 'nullish';

/** `yaml_content` as labs write it, and as the YAML limits refuse it (anchors, aliases, depth). */
const YAML_DOCUMENTS = [
  'samples:\n  - sample_id: S1\n    r1_file: s3://lab-data/run/S1_R1.fastq.gz\n    r2_file: s3://lab-data/run/S1_R2.fastq.gz\n',
  'samples:\n  - id: 00123\n    fq1: a.fq\n  - name: "S 2"\n    r1: b.fq\n    lib_prep: null\n',
  'samples: []\nother: {a: 1}\n',
  'samples:\n  - &s {sample_id: S1}\n  - *s\n',
  'a: &a [*a]\n',
  `samples: ${'['.repeat(20)}${']'.repeat(20)}\n`,
  'samples:\n  - sample_id: "\\u0000"\n',
  '--- !!binary aGVsbG8=\n',
  'samples: !!js/function "function () {}"\n',
];

/** Values the real state (or the domain) gives a field: the target's ids, its lease, a cursor that exists. */
function stateValues(name: string, target: FuzzTarget, pool: FuzzPool): unknown[] {
  switch (name) {
    case 'workset_id':
      return [target.workset_id];
    case 'customer_id':
      return [target.customer_id];
    case 'owner_id':
      return [target.lock_owner ?? 'fuzz-worker-1'];
    case 'lease_epoch':
      return [target.lease_epoch ?? 1];
    case 'next_token':
      return pool.cursors?.length ? [...pool.cursors] : [];
    case 'state':
      // Where the transition table lets the target go: transitions get made, not only refused.
      return allowedTargets(target.state);
    case 'yaml_content':
      return YAML_DOCUMENTS;
    default:
      return [];
  }
}

/**
 * How hostile the requests are: `hostile` mixes in hostile values, unknown fields, dropped
 * required ones and bodies that are not JSON objects; `valid` only the state's values and
 * valid ones, so requests reach the stores (the outage properties).
 */
export type Hostility = 'hostile' | 'valid';

/** fc.oneof over the choices whose weight is not 0. */
function choose<T>(...choices: ReadonlyArray<{ readonly weight: number; readonly arbitrary: fc.Arbitrary<T> }>): fc.Arbitrary<T> {
  return fc.oneof(...choices.filter((choice) => choice.weight > 0));
}

/** One field's value: the state's, a valid one, or a hostile one (cursors forged). */
function fieldValue(name: string, schema: Node, target: FuzzTarget, pool: FuzzPool, h: number): fc.Arbitrary<unknown> {
  const known = stateValues(name, target, pool);
  // A lease holder's name and epoch go together: mostly the target's own.
  const weight = known.length === 0 ? 0 : name === 'owner_id' || name === 'lease_epoch' ? 12 : 5;
  return choose<unknown>(
    { weight, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant(undefined) },
    { weight: 4, arbitrary: validValue(schema) },
    { weight: 2 * h, arbitrary: name === 'next_token' ? forgedCursor : hostileJson },
  );
}

const asQueryValue = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** A path parameter: mostly the target's, else valid-looking, hostile, or the target's id made odd. */
function pathValue(name: string, schema: Node, target: FuzzTarget, h: number): fc.Arbitrary<string> {
  const known = String(stateValues(name, target, { targets: [] })[0] ?? '');
  return choose(
    { weight: 8, arbitrary: fc.constant(known) },
    { weight: h, arbitrary: validValue(schema).map(asQueryValue) },
    { weight: 2 * h, arbitrary: hostileString },
    {
      weight: h,
      arbitrary: fc.constantFrom(`${known}/x`, `${known}/../other`, `${known}%2F`, `..%2F${known}`, ` ${known}`, `${known}\u0000`, known.toUpperCase(), encodeURIComponent(`${known}/`), `${known}?x=1`, `${known}#`),
    },
  );
}

/** Present fields (some required ones dropped, optional ones included at random) and unknown ones. */
function objectOf(
  entries: Readonly<Record<string, Node>>,
  value: (name: string, schema: Node) => fc.Arbitrary<unknown>,
  h: number,
  unknownValue: fc.Arbitrary<unknown> = hostileJson,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(entries).map(([name, schema]) =>
    choose<readonly [string, unknown] | undefined>(
      { weight: isOptional(schema) ? 1 : 9, arbitrary: value(name, schema).map((item) => [name, item] as const) },
      { weight: isOptional(schema) ? 1 : h, arbitrary: fc.constant(undefined) },
    ),
  );
  const unknown = choose<Record<string, unknown>>({ weight: 5, arbitrary: fc.constant({}) }, { weight: h, arbitrary: fc.dictionary(hostileKey, unknownValue, { minKeys: 1, maxKeys: 3 }) });
  return fc.tuple(fc.tuple(...fields), unknown).map(([present, extra]) => {
    const object: Record<string, unknown> = {};
    for (const field of present) if (field) Object.defineProperty(object, field[0], { value: field[1], enumerable: true, writable: true, configurable: true });
    for (const [name, item] of Object.entries(extra)) Object.defineProperty(object, name, { value: item, enumerable: true, writable: true, configurable: true });
    return object;
  });
}

type Body = Pick<HostileRequest, 'body' | 'base64'> & { readonly contentType?: string };

/** How the body travels: JSON (mostly), base64-encoded JSON, JSON under another media type, text that is not an object, or none. */
function bodyOf(value: Record<string, unknown>, h: number): fc.Arbitrary<Body> {
  const json = JSON.stringify(value);
  return choose<Body>(
    { weight: 14, arbitrary: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json').map((type) => ({ body: json, contentType: type })) },
    { weight: 1, arbitrary: fc.constant({ body: Buffer.from(json).toString('base64'), base64: true, contentType: 'application/json' }) },
    { weight: h, arbitrary: contentType.map((type) => ({ body: json, contentType: type })) },
    { weight: 2 * h, arbitrary: fc.tuple(nonObjectBody, fc.oneof(fc.constant('application/json'), contentType)).map(([text, type]) => ({ body: text, contentType: type })) },
    { weight: h, arbitrary: nonObjectBody.map((text) => ({ body: Buffer.from(text).toString('base64'), base64: true, contentType: 'application/octet-stream' })) },
    { weight: h, arbitrary: fc.constant({}) },
  );
}

/**
 * Requests for `route`, aimed at the pool's worksets. Hostile ones are a third valid: a request
 * with a hostile value in most fields never reaches the flows behind its validation.
 */
export function routeRequests(route: HttpEntry, pool: FuzzPool, hostility: Hostility = 'hostile'): fc.Arbitrary<HostileRequest> {
  if (hostility === 'valid') return requestsOf(route, pool, 0);
  return fc.oneof({ weight: 1, arbitrary: requestsOf(route, pool, 0) }, { weight: 2, arbitrary: requestsOf(route, pool, 1) });
}

/** `h`: the weight of hostile choices (0: valid only). */
function requestsOf(route: HttpEntry, pool: FuzzPool, h: number): fc.Arbitrary<HostileRequest> {
  if (pool.targets.length === 0) throw new Error('routeRequests needs at least one target');
  const { request } = route.contract;
  const bodyFields = request.body ? objectEntries(request.body.schema) : {};
  const queryFields = request.query ? objectEntries(request.query) : {};
  const headerFields = Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, header]) => [name, header.schema as Node]));

  // A worker's route mostly aims at a leased workset, with its holder's owner_id and epoch.
  const leased = pool.targets.filter((target) => target.lock_owner !== undefined);
  const targets = choose<FuzzTarget>(
    { weight: 1, arbitrary: fc.constantFrom(...pool.targets) },
    { weight: 'owner_id' in bodyFields && leased.length > 0 ? 1 : 0, arbitrary: fc.constantFrom(...(leased.length > 0 ? leased : pool.targets)) },
  );
  return targets.chain((target) => {
    const path = fc.record(Object.fromEntries(Object.entries(request.path ?? {}).map(([name, parameter]) => [name, pathValue(name, parameter.schema as Node, target, h)])));
    const headers = objectOf(headerFields, (_name, schema) => choose({ weight: 1, arbitrary: validValue(schema).map(asQueryValue) }, { weight: h, arbitrary: hostileString }), h, hostileString);
    const object = request.body ? objectOf(bodyFields, (name, schema) => fieldValue(name, schema, target, pool, h), h) : fc.dictionary(hostileKey, hostileJson, { maxKeys: 2 });

    /**
     * The query: the contract's fields, garbage, and the body fields a worker may send there
     * instead: absent, the body's value (they must agree), in place of a missing one, or another.
     */
    const queryFor = (body: Record<string, unknown>): fc.Arbitrary<Record<string, string>> => {
      const fromBody = (request.body?.alsoFromQuery?.names ?? []).map((name) => {
        const inBody = Object.hasOwn(body, name);
        const value = fieldValue(name, bodyFields[name]!, target, pool, h).map(asQueryValue);
        return choose<readonly [string, string] | undefined>(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: inBody ? 3 : 0, arbitrary: fc.constant([name, asQueryValue(body[name])] as const) },
          { weight: inBody ? 0 : 4, arbitrary: value.map((item) => [name, item] as const) },
          { weight: inBody ? h : 0, arbitrary: value.map((item) => [name, item] as const) },
        );
      });
      return fc
        .tuple(
          objectOf(queryFields, (name, schema) => fieldValue(name, schema, target, pool, h).map(asQueryValue), h, hostileString),
          fc.tuple(...fromBody),
          choose<Record<string, string>>({ weight: 4, arbitrary: fc.constant({}) }, { weight: h, arbitrary: fc.dictionary(hostileKey, hostileString, { maxKeys: 3, noNullPrototype: true }) }),
        )
        .map(([fields, alsoFromBody, garbage]) => {
          const query: Record<string, string> = {};
          const put = (name: string, value: unknown) => Object.defineProperty(query, name, { value: String(value), enumerable: true, writable: true, configurable: true });
          for (const [name, value] of Object.entries(garbage)) put(name, value);
          for (const [name, value] of Object.entries(fields)) put(name, value);
          for (const field of alsoFromBody) if (field) put(field[0], field[1]);
          return query;
        });
    };

    return fc.tuple(path, headers, object).chain(([path, headers, object]) => {
      const body = request.body ? bodyOf(object, h) : choose({ weight: 4, arbitrary: fc.constant<Body>({}) }, { weight: h, arbitrary: bodyOf(object, h) });
      return fc.tuple(queryFor(object), body).map(([query, body]): HostileRequest => {
        const allHeaders: Record<string, string> = { ...(headers as Record<string, string>) };
        if (body.contentType !== undefined) allHeaders['content-type'] = body.contentType;
        const hostile: HostileRequest = {
          routeId: route.id,
          path: path as Record<string, string>,
          query,
          headers: allHeaders,
          ...(body.body === undefined ? {} : { body: body.body }),
          ...(body.base64 ? { base64: true } : {}),
        };
        // fast-check prints a counterexample with this: long values cut, not a 200 KB line.
        return Object.defineProperty(hostile, fc.toStringMethod, { value: () => describeRequest(hostile) });
      });
    });
  });
}

/** A short description of a request for reports (long values cut). */
export function describeRequest(request: HostileRequest): string {
  const cut = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
  const cutAll = (record: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(record).map(([name, value]) => [cut(name, 40), cut(value)]));
  return JSON.stringify({
    routeId: request.routeId,
    path: cutAll(request.path),
    query: cutAll(request.query),
    headers: cutAll(request.headers),
    ...(request.body === undefined ? {} : { body: cut(request.body, 400) }),
    ...(request.base64 ? { base64: true } : {}),
  });
}
