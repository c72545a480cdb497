/**
 * Following a workset until it ends (`submit --wait`, `status --follow`): one GET per interval,
 * a progress line on stderr (rewritten in place on a terminal, one line per change otherwise),
 * and an exit code for how it ended. A failed poll (5xx, unreachable) is retried a few times
 * before the follow gives up: a blip of the API does not end a wait of hours.
 */
import type { ApiClient } from './api-client.ts';
import { ROUTES, type ApiRoute } from './api-routes.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import type { CliIo, Output } from './output.ts';

/** The fields of a workset answer the CLI reads. */
export interface WorksetView {
  readonly workset_id: string;
  readonly customer_id?: string;
  readonly workset_name?: string;
  readonly state: string;
  readonly current_step?: string | null;
  readonly archived_from?: string | null;
  readonly [field: string]: unknown;
}

/** States a workset leaves only by someone's action: the follow ends there. */
const ENDED: Readonly<Record<string, ExitCode>> = {
  complete: EXIT.ok,
  error: EXIT.unfinished,
  failed: EXIT.unfinished,
  canceled: EXIT.unfinished,
  ignored: EXIT.unfinished,
  deleted: EXIT.unfinished,
};

/** How a workset's state ends a follow, or undefined while it is under way (registering, ready, in_progress, retrying). */
export function endingOf(workset: WorksetView): ExitCode | undefined {
  if (workset.state === 'archived') return workset.archived_from === 'complete' ? EXIT.ok : EXIT.unfinished;
  return ENDED[workset.state];
}

export interface FollowOptions {
  readonly intervalMs: number;
  /** Give up (exit 5) after this long; undefined: follow until it ends. */
  readonly timeoutMs?: number;
  /** With --json, each change as one JSON line on stdout (`status --follow`); otherwise nothing on stdout until the end. */
  readonly jsonLines: boolean;
}

/** Consecutive failed polls before a follow gives up. */
export const MAX_FAILED_POLLS = 5;

export interface WorksetTarget {
  readonly route: ApiRoute;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The route that reads one workset: the customer's, or with --aws the operator's. */
export function worksetTarget(aws: boolean, customerId: string | undefined, worksetId: string): WorksetTarget {
  if (aws) return { route: ROUTES.operatorWorkset, parameters: { workset_id: worksetId } };
  return { route: ROUTES.workset, parameters: { customer_id: customerId ?? '', workset_id: worksetId } };
}

const elapsed = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
};

export const progressLine = (workset: WorksetView, sinceMs: number): string =>
  `${workset.workset_id}  ${workset.state}${workset.current_step ? `  ${workset.current_step}` : ''}  (${elapsed(sinceMs)})`;

/** Polls until the workset ends; answers the last answer seen and the exit code. */
export async function followWorkset(
  client: ApiClient,
  target: WorksetTarget,
  first: WorksetView | undefined,
  options: FollowOptions,
  io: CliIo,
  out: Output,
): Promise<{ readonly workset: WorksetView; readonly exitCode: ExitCode }> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  const inPlace = io.stderrIsTTY === true;
  let shown = '';
  let failures = 0;
  let workset = first;

  const show = (current: WorksetView): void => {
    const change = `${current.state}\u0000${current.current_step ?? ''}`;
    if (inPlace) io.stderr(`\r\u001b[2K${progressLine(current, Date.now() - started)}`);
    else if (change !== shown) io.stderr(`${progressLine(current, Date.now() - started)}\n`);
    if (change !== shown && options.jsonLines) out.dataLine(current);
    shown = change;
  };
  const finish = (current: WorksetView, exitCode: ExitCode) => {
    if (inPlace) io.stderr('\n');
    return { workset: current, exitCode };
  };

  for (;;) {
    if (workset) {
      show(workset);
      const ending = endingOf(workset);
      if (ending !== undefined) return finish(workset, ending);
      if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
        out.note(`${workset.workset_id} is still ${workset.state} after ${elapsed(options.timeoutMs)}; stopped following (it goes on).`);
        return finish(workset, EXIT.stillRunning);
      }
      await sleep(options.intervalMs);
    }
    try {
      workset = (await client.call<WorksetView>(target.route, { parameters: target.parameters })).body;
      failures = 0;
    } catch (error) {
      // A refusal (404: deleted, 403: access gone) will not heal; a failure may.
      if (!(error instanceof CliError) || error.exitCode !== EXIT.unavailable || ++failures >= MAX_FAILED_POLLS) {
        if (inPlace && shown) io.stderr('\n');
        throw error;
      }
      out.note(`(poll failed: ${error.message}; retrying)`);
      // With a last answer, the loop's own pause comes first; without one, pause here.
      if (!workset) await sleep(options.intervalMs);
    }
  }
}
