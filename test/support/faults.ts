/**
 * Real fault injection: SDK middleware on the very client a handler uses makes chosen calls fail
 * before they leave the process. Nothing else about the client is replaced.
 */
import type { MiddlewareStack } from '@smithy/types';

export interface CallRecord {
  readonly command: string;
  readonly input: any;
}

type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

let counter = 0;

/**
 * Makes the `nth` (1-based) matching call fail with `error` (a fresh throttling-like error by
 * default). Returns a function that removes the fault.
 */
export function failCall(
  client: AnyClient,
  matches: (call: CallRecord) => boolean,
  options: { nth?: number; times?: number; error?: () => Error; /** Fail after the call took effect: its reply is lost. */ afterSend?: boolean } = {},
): () => void {
  const name = `test-fault-${(counter += 1)}`;
  const nth = options.nth ?? 1;
  const times = options.times ?? 1;
  let seen = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { command: String(context.commandName), input: args.input };
      const fails = matches(call) && (seen += 1) >= nth && seen < nth + times;
      if (!fails) return next(args);
      if (options.afterSend) await next(args);
      throw options.error?.() ?? Object.assign(new Error(`injected fault in ${call.command}`), { name: 'InjectedFault' });
    },
    { step: 'initialize', name },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}

/** Records every call made through the client, in order. Returns the list and a remover. */
export function recordCalls(client: AnyClient): { calls: CallRecord[]; stop: () => void } {
  const name = `test-recorder-${(counter += 1)}`;
  const calls: CallRecord[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: String(context.commandName), input: args.input });
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { calls, stop: () => void client.middlewareStack.remove(name) };
}

/**
 * Holds the `nth` matching call until `release()` is called; `held` resolves once it is waiting.
 * The call then goes out unchanged (a slow network, not a failure).
 */
export function holdCall(
  client: AnyClient,
  matches: (call: CallRecord) => boolean,
  options: { nth?: number } = {},
): { held: Promise<void>; release: () => void; remove: () => void } {
  const name = `test-hold-${(counter += 1)}`;
  const nth = options.nth ?? 1;
  let seen = 0;
  let onHeld!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (matches({ command: String(context.commandName), input: args.input })) {
        seen += 1;
        if (seen === nth) {
          onHeld();
          await gate;
        }
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { held, release, remove: () => void client.middlewareStack.remove(name) };
}
