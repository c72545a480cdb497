/**
 * `list`, `status <id> [--follow]`, `cancel <id>`, `logs <id>`: the customer's worksets through
 * the lab routes, or with --aws through the operator routes (SigV4), which see every customer's.
 */
import { Option, type Command } from 'commander';
import { ROUTES } from '../api-routes.ts';
import { requireCustomer } from '../connection.ts';
import type { CommandContext, Define } from '../command-context.ts';
import { EXIT } from '../exit-codes.ts';
import { duration, wholeNumber } from '../option-values.ts';
import { followWorkset, worksetTarget, type WorksetView } from '../workset-follow.ts';
import { WORKSET_STATES } from '../../lambdas/lib/domain/workset.ts';

/** A workset as label–value lines. */
export function worksetFields(workset: WorksetView): Array<readonly [string, string | number | boolean | null | undefined]> {
  const fields: Array<readonly [string, unknown]> = [
    ['workset', workset.workset_id],
    ['name', workset.workset_name],
    ['customer', workset.customer_id],
    ['state', workset.state],
    ['step', workset.current_step],
    ['pipeline', workset.pipeline_type],
    ['genome build', workset.genome_build],
    ['samples', workset.sample_count],
    ['priority', workset.priority],
    ['control folder', workset.control_folder],
    ['created', workset.created_at],
    ['updated', workset.updated_at],
    ...(workset.error_details ? ([['error', workset.error_details]] as const) : []),
  ];
  return fields.map(([label, value]) => [label, printable(value)] as const);
}

const printable = (value: unknown): string | number | boolean | null | undefined =>
  value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);

function showWorkset(context: CommandContext, workset: WorksetView): void {
  if (context.out.json) context.out.data(workset);
  else context.out.fields(worksetFields(workset));
}

interface Listing {
  readonly worksets: readonly WorksetView[];
  readonly next_token: string | null;
}

interface HistoryEntry {
  readonly at: string;
  readonly from: string | null;
  readonly to: string;
  readonly actor: string;
  readonly reason: string;
}

/** Pages `logs` reads before it stops (1,000 entries each). */
const MAX_LOG_PAGES = 50;

const STATE_OPTION = (): Option => new Option('--state <state>', 'only worksets in this state').choices(WORKSET_STATES);

export function registerWorksetCommands(root: Command, define: Define): void {
  define<{ readonly state?: string; readonly limit: number; readonly nextToken?: string }>(
    root
      .command('list')
      .description("The customer's worksets, newest first (with --aws: every customer's, or --customer's).")
      .addOption(STATE_OPTION())
      .option('--limit <count>', 'worksets per page (default 50)', wholeNumber(1, 100), 50)
      .option('--next-token <token>', 'the next page (printed after a full page)'),
    async (context, options) => {
      const query = { limit: options.limit, state: options.state, next_token: options.nextToken };
      const { body } = context.aws
        ? await context.client.call<Listing>(ROUTES.operatorList, { query: { ...query, customer_id: context.connection.customerId } })
        : await context.client.call<Listing>(ROUTES.list, { parameters: { customer_id: requireCustomer(context.connection) }, query });
      if (context.out.json) {
        context.out.data(body);
        return EXIT.ok;
      }
      context.out.table(
        [
          { header: 'WORKSET', value: (w: WorksetView) => w.workset_id },
          { header: 'NAME', value: (w) => w.workset_name },
          { header: 'STATE', value: (w) => w.state },
          { header: 'PIPELINE', value: (w) => printable(w.pipeline_type) },
          { header: 'GENOME', value: (w) => printable(w.genome_build) },
          { header: 'SAMPLES', value: (w) => printable(w.sample_count) },
          { header: 'CREATED', value: (w) => printable(w.created_at) },
        ],
        body.worksets,
      );
      if (body.next_token) context.out.note(`more: --next-token ${body.next_token}`);
      return EXIT.ok;
    },
  );

  define<{ readonly follow?: boolean; readonly interval: number; readonly timeout?: number }>(
    root
      .command('status')
      .argument('<workset_id>')
      .description('One workset; --follow polls it until it completes, fails or is canceled.')
      .option('--follow', 'follow until it ends (exit 0 only when complete, 4 when it ended otherwise)')
      .option('--interval <duration>', 'with --follow: time between polls (default 10s)', duration, 10_000)
      .option('--timeout <duration>', 'with --follow: stop following after this long (exit 5)', duration),
    async (context, options, worksetId) => {
      const customerId = context.aws ? undefined : requireCustomer(context.connection);
      const target = worksetTarget(context.aws, customerId, worksetId!);
      if (!options.follow) {
        const { body } = await context.client.call<WorksetView>(target.route, { parameters: target.parameters });
        showWorkset(context, body);
        return EXIT.ok;
      }
      const { workset, exitCode } = await followWorkset(
        context.client,
        target,
        undefined,
        { intervalMs: options.interval, ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}), jsonLines: context.out.json },
        context.io,
        context.out,
      );
      // --json printed every change as it came; the last one is the end.
      if (!context.out.json) context.out.fields(worksetFields(workset));
      return exitCode;
    },
  );

  define<{ readonly reason?: string }>(
    root
      .command('cancel')
      .argument('<workset_id>')
      .description('Cancel a ready, retrying or running workset (a running one stops at its next heartbeat).')
      .option('--reason <text>', 'why (kept in its history)'),
    async (context, options, worksetId) => {
      let body: WorksetView;
      if (context.aws) {
        // The operator's override needs a reason: it goes into the history with the operator's ARN.
        ({ body } = await context.client.call<WorksetView>(ROUTES.override, {
          parameters: { workset_id: worksetId! },
          body: { state: 'canceled', reason: options.reason ?? 'canceled with daylily-workset cancel --aws' },
        }));
      } else {
        ({ body } = await context.client.call<WorksetView>(ROUTES.cancel, {
          parameters: { customer_id: requireCustomer(context.connection), workset_id: worksetId! },
          ...(options.reason ? { body: { reason: options.reason } } : {}),
        }));
      }
      showWorkset(context, body);
      return EXIT.ok;
    },
  );

  define(
    root.command('logs').argument('<workset_id>').description("The workset's state history, oldest first (every page)."),
    async (context, _options, worksetId) => {
      const parameters = { customer_id: requireCustomer(context.connection), workset_id: worksetId! };
      const entries: HistoryEntry[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const { body } = await context.client.call<{ logs: HistoryEntry[]; next_token: string | null }>(ROUTES.logs, { parameters, query: { limit: 1000, next_token: nextToken } });
        entries.push(...body.logs);
        nextToken = body.next_token ?? undefined;
      } while (nextToken && ++pages < MAX_LOG_PAGES);
      if (nextToken) context.out.note(`(stopped after ${entries.length} entries)`);
      if (context.out.json) context.out.data({ workset_id: worksetId, logs: entries });
      else {
        context.out.table(
          [
            { header: 'AT', value: (e: HistoryEntry) => e.at },
            { header: 'FROM', value: (e) => e.from },
            { header: 'TO', value: (e) => e.to },
            { header: 'ACTOR', value: (e) => e.actor },
            { header: 'REASON', value: (e) => e.reason },
          ],
          entries,
        );
      }
      return EXIT.ok;
    },
  );
}
