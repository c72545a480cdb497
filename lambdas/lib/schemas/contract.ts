/**
 * What an HTTP entry point reads from a request, declared once: the handler is built from it
 * (http/http-entry.ts resolves and validates every part before the handler runs, and the handler
 * sees nothing else), and the entry-point table documents it (infra/openapi.ts). Plain data over
 * valibot schemas, so a handler's bundle carries only its own contract.
 */
import type * as v from 'valibot';
import type { GenericSchema } from 'valibot';
import type { QueryFields } from './query-fields.ts';

export interface PathParameter {
  readonly schema: GenericSchema<string, unknown>;
  /**
   * What the parameter names (e.g. `Workset`) when a value the schema refuses names nothing that
   * can exist: the answer is then the same 404 as for a missing one. Absent: a 400 naming it.
   */
  readonly notFoundAs?: string;
}

export interface HeaderParameter {
  readonly schema: GenericSchema<string, unknown>;
  readonly description: string;
}

export interface BodyContract {
  /** An object schema (the body must be a JSON object). */
  readonly schema: GenericSchema;
  /** Without a body, `{}` is validated (every field optional); with one, it must be JSON. */
  readonly required: boolean;
  /**
   * Body fields a client may send in the query string instead (the reference API took a worker's
   * `owner_id` there), with their merge (query-fields.ts). Sent in both places, they must agree.
   */
  readonly alsoFromQuery?: QueryFields;
}

export interface RequestContract {
  readonly path?: Readonly<Record<string, PathParameter>>;
  /** An object schema over the query string parameters (strings). */
  readonly query?: GenericSchema;
  /** Keyed by the header's canonical name (e.g. `Idempotency-Key`); all optional. */
  readonly headers?: Readonly<Record<string, HeaderParameter>>;
  readonly body?: BodyContract;
}

type Output<S> = S extends GenericSchema ? v.InferOutput<S> : never;

/** What a handler built from contract `C` receives. */
export interface RequestInput<C extends RequestContract> {
  readonly path: { readonly [K in keyof C['path']]: Output<NonNullable<C['path']>[K]['schema']> };
  readonly query: C['query'] extends GenericSchema ? Output<C['query']> : Record<string, never>;
  readonly headers: { readonly [K in keyof C['headers']]?: Output<NonNullable<C['headers']>[K]['schema']> };
  readonly body: C['body'] extends BodyContract ? Output<C['body']['schema']> : undefined;
}

/** The contract of an entry that reads nothing (health, the queue's head, its statistics). */
export const NO_INPUT = {} satisfies RequestContract;
