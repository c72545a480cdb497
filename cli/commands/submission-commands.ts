/**
 * `preview` and `submit`: a sample sheet, a pipeline and a genome build as a registration body
 * (the sheet as `samples_tsv`, or staged through an upload when large), the dry run's findings,
 * and the registration itself — retried on 503 under one Idempotency-Key, which registration
 * replays or completes, never duplicates (docs/lifecycle.md).
 */
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { WorksetPreview } from '../../lambdas/lib/domain/workset-preview.ts';
import type { ApiClient } from '../api-client.ts';
import { ROUTES } from '../api-routes.ts';
import { requireCustomer } from '../connection.ts';
import type { CommandContext, Define } from '../command-context.ts';
import { ApiProblem, CliError, EXIT, UsageError, type ExitCode } from '../exit-codes.ts';
import { duration, wholeNumber } from '../option-values.ts';
import { openSheet, samplesSource, STDIN_SHEET, type SamplesSource } from '../sheet-source.ts';
import { followWorkset, worksetTarget, type WorksetView } from '../workset-follow.ts';
import { estimateFields, PRIORITY_OPTION } from './catalogue-commands.ts';
import { worksetFields } from './workset-commands.ts';

interface WorksetOptions {
  readonly sheet?: string;
  readonly pipeline: string;
  readonly genome: string;
  readonly name?: string;
  readonly priority?: string;
  readonly email?: string;
  readonly s3Bucket?: string;
  readonly s3Prefix?: string;
  readonly exportUri?: string;
  readonly qc: boolean;
  readonly archive: boolean;
  readonly upload?: boolean;
}

/** The options of a registration body, shared by preview and submit. */
function worksetOptions(command: Command, sheetRequired: boolean): Command {
  const sheet = '--sheet <file>';
  const sheetHelp = "the sample sheet, or '-' to read it from stdin: the 20-column stage_samples.tsv template, or sample_id, r1, r2 (TSV or CSV, with a header)";
  (sheetRequired ? command.requiredOption(sheet, sheetHelp) : command.option(sheet, sheetHelp))
    .requiredOption('--pipeline <pipeline>', 'a pipeline id or alias (daylily-workset pipelines)')
    .requiredOption('--genome <build>', 'the reference genome: a build or alias (hg38, GRCh38, b37)')
    .option('--name <name>', "the workset's name (default: the sheet's file name; required with --sheet -)")
    .addOption(PRIORITY_OPTION())
    .option('--email <address>', 'notification_email: mailed on completion, failure and cancel')
    .option('--s3-bucket <bucket>', 'where relative FASTQ names of the sheet live')
    .option('--s3-prefix <prefix>', 'the key prefix under --s3-bucket')
    .option('--export-uri <uri>', 'where results go (s3://…)')
    .option('--no-qc', 'enable_qc: false')
    .option('--no-archive', 'archive_results: false')
    .option('--upload', 'stage the sheet through an upload even when it is small (large sheets always are)');
  return command;
}

async function registrationBody(context: CommandContext, options: WorksetOptions, customerId: string): Promise<Record<string, unknown>> {
  // Named before the sheet is read: stdin is read once, and a large sheet is uploaded.
  const fileName = options.sheet && options.sheet !== STDIN_SHEET ? basename(options.sheet, extname(options.sheet)) : undefined;
  const name = options.name ?? fileName;
  if (!name) throw new UsageError('Name the workset: --name (or give --sheet FILE, whose file name is the default; a sheet on stdin has none).');
  let samples: SamplesSource | undefined;
  if (options.sheet) {
    const sheet = await openSheet(options.sheet, context.io);
    samples = await samplesSource(context.client, customerId, sheet, {
      forceUpload: options.upload === true,
      note: context.out.note,
      ...(context.io.fetch ? { fetch: context.io.fetch } : {}),
    });
  } else if (options.upload) throw new UsageError('--upload needs --sheet.');
  return {
    workset_name: name,
    pipeline_type: options.pipeline,
    reference_genome: options.genome,
    ...(options.priority ? { priority: options.priority } : {}),
    ...samples,
    ...(options.email ? { notification_email: options.email } : {}),
    ...(options.s3Bucket ? { s3_bucket: options.s3Bucket } : {}),
    ...(options.s3Prefix ? { s3_prefix: options.s3Prefix } : {}),
    ...(options.exportUri ? { export_uri: options.exportUri } : {}),
    ...(options.qc ? {} : { enable_qc: false }),
    ...(options.archive ? {} : { archive_results: false }),
  };
}

/** The preview's answer, as the domain defines it (the CLI reads pure domain values, never the flows). */
type Preview = WorksetPreview;

/** Statuses a registration is retried on with the same key: it did not happen, or it is completed by the retry. */
const RETRIED = new Set([502, 503, 504]);

interface SubmitOptions extends WorksetOptions {
  readonly idempotencyKey?: string;
  readonly retries: number;
  readonly wait?: boolean;
  readonly interval: number;
  readonly timeout?: number;
}

/** Registers, retrying failures with the same key (backoff 1 s, 2 s, 4 s … at most 30 s). */
async function register(context: CommandContext, client: ApiClient, customerId: string, body: unknown, key: string, retries: number): Promise<WorksetView> {
  const sleep = context.io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      const { body: workset } = await client.call<WorksetView>(ROUTES.register, { parameters: { customer_id: customerId }, headers: { 'Idempotency-Key': key }, body });
      return workset;
    } catch (error) {
      // Unreachable too: the request may have arrived, and only the same key makes a second one safe.
      const retryable = error instanceof ApiProblem ? RETRIED.has(error.problem.status) : error instanceof CliError && error.exitCode === EXIT.unavailable;
      if (!retryable || attempt >= retries) {
        if (retryable) context.out.note(`Registration did not finish after ${attempt + 1} attempts; retry with --idempotency-key ${key} (the same key completes it, never registers twice).`);
        throw error;
      }
      const waitMs = Math.min(30_000, 1000 * 2 ** attempt);
      context.out.note(`Registration answered: ${(error as Error).message}; retrying in ${waitMs / 1000} s with the same Idempotency-Key (${attempt + 1}/${retries}).`);
      await sleep(waitMs);
    }
  }
}

export function registerSubmissionCommands(root: Command, define: Define): void {
  define<WorksetOptions & { readonly file?: string }>(
    worksetOptions(root.command('preview').description("Registration's dry run: every problem, the files it would write, the estimate; nothing is written."), false).option(
      '--file <name>',
      'print only this file as registration would write it (daylily_work.yaml, daylily_info.yaml, stage_samples.tsv)',
    ),
    async (context, options) => {
      const customerId = requireCustomer(context.connection);
      const body = await registrationBody(context, options, customerId);
      const { body: preview } = await context.client.call<Preview>(ROUTES.preview, { parameters: { customer_id: customerId }, body });
      const outcome: ExitCode = preview.valid ? EXIT.ok : EXIT.refused;
      if (options.file) {
        const text = preview.files?.[options.file];
        if (text === undefined) {
          const names = Object.keys(preview.files ?? {});
          if (!preview.valid) context.out.note(`The preview found problems (registration would answer ${preview.registration_status}); no files.`);
          else throw new UsageError(`--file ${options.file}: the preview has ${names.join(', ')}.`);
          return outcome;
        }
        context.out.text(text);
        return outcome;
      }
      if (context.out.json) {
        context.out.data(preview);
        return outcome;
      }
      context.out.fields([
        ['valid', preview.valid ? 'yes' : 'no'],
        ['registration', `would answer ${preview.registration_status}`],
        ['pipeline', preview.pipeline_type],
        ['genome build', preview.genome_build],
        ['control folder', preview.control_folder],
        ['catalogue', preview.catalogue_version],
      ]);
      if (preview.problems.length) {
        context.out.text('\nProblems:');
        context.out.table([{ header: 'FIELD', value: (p: Preview['problems'][number]) => p.field }, { header: 'PROBLEM', value: (p) => p.message }], preview.problems);
      }
      if (preview.files) {
        context.out.text('\nFiles:');
        context.out.table(
          [{ header: 'FILE', value: ([name]: [string, string]) => name }, { header: 'BYTES', value: ([, text]) => Buffer.byteLength(text) }],
          Object.entries(preview.files),
        );
      }
      if (preview.estimate) {
        context.out.text('\nEstimate:');
        context.out.fields(estimateFields(preview.estimate));
      }
      return outcome;
    },
  );

  define<SubmitOptions>(
    worksetOptions(root.command('submit').description('Register a workset from a sample sheet; --wait follows it until it ends.'), true)
      .option('--idempotency-key <key>', 'makes a repeated submit safe (default: a fresh key, printed)')
      .option('--retries <count>', 'retries of a registration that answered 503 (default 4)', wholeNumber(0, 20), 4)
      .option('--wait', 'follow the workset until it completes, fails or is canceled (exit 0 only when complete)')
      .option('--interval <duration>', 'with --wait: time between polls (default 10s)', duration, 10_000)
      .option('--timeout <duration>', 'with --wait: stop following after this long (exit 5)', duration),
    async (context, options) => {
      const customerId = requireCustomer(context.connection);
      const key = options.idempotencyKey?.trim() || `cli-${randomUUID()}`;
      if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new UsageError('--idempotency-key must be 1 to 255 printable ASCII characters without spaces.');
      const body = await registrationBody(context, options, customerId);
      const workset = await register(context, context.client, customerId, body, key, options.retries);
      context.out.note(`Registered ${workset.workset_id} (Idempotency-Key ${key}).`);
      if (!options.wait) {
        if (context.out.json) context.out.data(workset);
        else context.out.fields(worksetFields(workset));
        return EXIT.ok;
      }
      const { workset: last, exitCode } = await followWorkset(
        context.client,
        worksetTarget(false, customerId, workset.workset_id),
        workset,
        { intervalMs: options.interval, ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}), jsonLines: false },
        context.io,
        context.out,
      );
      if (context.out.json) context.out.data(last);
      else context.out.fields(worksetFields(last));
      return exitCode;
    },
  );
}
