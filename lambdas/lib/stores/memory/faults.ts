/**
 * Fault injection for the in-memory stores: a flow test makes chosen operations fail the way an
 * unavailable dependency would, without an SDK middleware. The hook sees the port method's name
 * and its input before the operation touches anything, so a failed call changes nothing.
 */

/** An error to throw instead of running `operation` (a port method's name), or undefined to run it. */
export type FaultHook = (operation: string, input: unknown) => Error | undefined;

export function checkFault(hook: FaultHook | undefined, operation: string, input: unknown): void {
  const error = hook?.(operation, input);
  if (error) throw error;
}
