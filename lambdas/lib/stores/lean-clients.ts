/**
 * What the process's AWS clients leave out of each call's path: on Lambda a CPU millisecond is
 * about three billed ones (a 512 MB function has ~0.3 vCPU), and the SDK's per-call work is most
 * of a request's CPU (bench/bundle-figures.ts). Nothing here weakens a guarantee: conditional
 * writes, signing and the standard retry strategy are untouched.
 *
 * - The resolved middleware chain is cached per command class (the SDK's `cacheMiddleware`)
 *   instead of being rebuilt for every call, yet a change to the client's stack after the first
 *   call (the tests' fault injection and IAM guard, the benchmark's call counter) drops the cache,
 *   so the next call sees it: the SDK alone would keep using the stale chain.
 * - No User-Agent middleware: the services do not need the header, and composing it (features,
 *   escaping) runs on every call.
 * - One signer per auth scheme, kept: the SDK's default builds a new one for every call (copying
 *   the whole client configuration), so each call also derives its signing key afresh (four
 *   HMACs), where a kept signer caches the key per credentials, day, region and service — rotated
 *   credentials still sign with their own key.
 */
import type { AuthScheme, MiddlewareStack } from '@smithy/types';

interface Client {
  readonly middlewareStack: MiddlewareStack<any, any>;
  /** The resolved configuration; `signer` is the SDK's (see keptSigners). */
  readonly config: object;
}

type SignerFor = (authScheme?: AuthScheme) => Promise<unknown>;

const MUTATORS = ['add', 'addRelativeTo', 'remove', 'removeByTag', 'use'] as const;

/** Client options to spread into an SDK client's configuration. */
export const LEAN_CLIENT_OPTIONS = { cacheMiddleware: true } as const;

/**
 * Drops the User-Agent middleware and keeps one signer per auth scheme: the parts every client
 * takes (the document client's stack and configuration are its base client's).
 */
export function leanCalls<C extends Client>(client: C): C {
  client.middlewareStack.remove('getUserAgentMiddleware');
  keptSigners(client.config as { signer?: SignerFor });
  return client;
}

/**
 * Wraps the configuration's signer factory (called by the SDK on every request with the
 * endpoint's auth scheme) so that each scheme's signer is built once. A factory that fails (no
 * credentials, say) is asked again next time.
 */
function keptSigners(config: { signer?: SignerFor }): void {
  const build = config.signer;
  if (!build) return;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (authScheme) => {
    const key = authScheme ? `${authScheme.name} ${authScheme.signingName} ${authScheme.signingRegion} ${authScheme.signingRegionSet}` : '';
    let signer = signers.get(key);
    if (!signer) {
      signer = build(authScheme);
      signers.set(key, signer);
      signer.catch(() => signers.delete(key));
    }
    return signer;
  };
}

/** Calls `changed` before every change to the client's middleware stack. */
function onStackChange(client: Client, changed: () => void): void {
  const stack = client.middlewareStack as unknown as Record<(typeof MUTATORS)[number], (...args: unknown[]) => unknown>;
  for (const name of MUTATORS) {
    const original = stack[name].bind(stack);
    stack[name] = (...args) => (changed(), original(...args));
  }
}

/** Applies the rest to a client built with LEAN_CLIENT_OPTIONS; returns it. */
export function leanClient<C extends Client>(client: C): C {
  // The SDK keeps its cache of resolved chains in `handlers` (and clears it the same way on destroy()).
  onStackChange(client, () => delete (client as { handlers?: unknown }).handlers);
  return leanCalls(client);
}

/** Thrown where the network would start, to end a dry run. */
class DryRunEnd extends Error {}

/**
 * Sends `command` through the client's whole request path (serialization, endpoint rules,
 * credentials, signing) and stops short of the network: no request leaves the process. On Lambda
 * this runs at init, so the first invocation does not pay for loading and compiling that path.
 */
export async function dryRun(client: Client & { send(command: never): Promise<unknown> }, command: unknown): Promise<void> {
  const name = 'daylily-dry-run';
  // The innermost place: after signing and the deserializer, before the request handler.
  client.middlewareStack.add(
    () => async () => {
      throw new DryRunEnd();
    },
    { step: 'deserialize', priority: 'low', name },
  );
  try {
    await client.send(command as never);
  } catch (error) {
    if (!(error instanceof DryRunEnd)) throw error;
  } finally {
    client.middlewareStack.remove(name);
  }
}

/** What a lib-dynamodb command carries that the cache needs (protected in its typings). */
interface DocumentCommand {
  readonly clientCommand: { resolveMiddleware(stack: unknown, config: unknown, options: undefined): (command: unknown) => Promise<{ output: unknown }> };
  readonly middlewareStack: MiddlewareStack<any, any>;
  addMarshallingMiddleware(config: unknown): void;
}

/**
 * The document client's counterpart of `cacheMiddleware`, which lib-dynamodb's commands cannot
 * use (the SDK's cached handler would send the first command's input again: aws-sdk-js-v3 #7801):
 * per command class, the chain of the base command a document command wraps, marshalling
 * included, resolved once and run with each command's own base command. Dropped whenever the
 * stack changes, as in leanClient. Calls with options take the SDK's ordinary path.
 */
export function cachingDocumentClient<C extends Client & { readonly config: unknown; send(command: never, options?: never): Promise<unknown> }>(client: C): C {
  const chains = new Map<Function, (command: unknown) => Promise<{ output: unknown }>>();
  onStackChange(client, () => chains.clear());
  const send = client.send.bind(client);
  Object.assign(client, {
    send(command: DocumentCommand, options?: never) {
      if (options !== undefined || !command.clientCommand) return send(command as never, options);
      let chain = chains.get(command.constructor);
      if (!chain) {
        // What lib-dynamodb's resolveMiddleware does, minus binding the chain to this command.
        command.addMarshallingMiddleware(client.config);
        chain = command.clientCommand.resolveMiddleware(client.middlewareStack.concat(command.middlewareStack), client.config, undefined);
        chains.set(command.constructor, chain);
      }
      return chain(command.clientCommand).then((result) => result.output);
    },
  });
  return client;
}
