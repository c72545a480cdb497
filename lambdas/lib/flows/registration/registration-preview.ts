/**
 * A dry run of registration: the same checks (registration-request.ts and the export check), the
 * record registration would create, and the files it would write, rendered by the same functions
 * (domain/control-folder.ts) — so for the same clock and random id, preview and registration write
 * byte-identical files. Nothing is read from or written to a store.
 *
 * The workset id and timestamps are the preview's own: registration draws its id and clock when it
 * runs. What only the customers table knows is not checked here: whether the customer exists or is
 * suspended, its quota, its data locations and sample limit (registration checks them; the
 * preview's function carries no database client, so it stays within its bundle budget).
 */
import { estimateCost } from '../../domain/cost-estimate.ts';
import { registrationObjects } from '../../domain/control-folder.ts';
import { findPipeline } from '../../domain/pipeline-commands.ts';
import { CONTROL_FILES } from '../../domain/sentinels.ts';
import { controlFolderUri } from '../../domain/workset.ts';
import type { WorksetPreview } from '../../domain/workset-preview.ts';
import { InvalidInputError, NotConfiguredError, UnprocessableInputError, type FieldError } from '../../errors.ts';
import type { PreviewDeps } from '../deps.ts';
import { newRecord } from './begin-registration.ts';
import { exportUriProblem, toRegistrationRequest, type RegistrationRequest, type StagedSheetText } from './registration-request.ts';
import { readStagedSheet } from './staged-sheet.ts';
import type { CreateWorksetRequest } from '../../schemas/registration-requests.ts';

export interface PreviewCommand {
  readonly customerId: string;
  readonly body: CreateWorksetRequest;
  readonly actor: string;
  /** The sheet `body.samples_upload_id` names, read (previewRequest reads it). */
  readonly staged?: StagedSheetText;
}

/**
 * The largest stage_samples.tsv a preview shows: an answer must stay under Lambda's 6 MB, and an
 * uploaded sheet's may be far larger. Above it the file is named in `omitted_files` instead.
 */
export const MAX_PREVIEW_SHEET_BYTES = 4 * 1024 * 1024;

const SHOWN = new Set<string>([CONTROL_FILES.workYaml, CONTROL_FILES.infoYaml, CONTROL_FILES.stageSamples]);

export function previewWorkset(deps: PreviewDeps, command: PreviewCommand): WorksetPreview {
  if (!deps.controlLocation.ok) throw new NotConfiguredError(deps.controlLocation.problem);
  const { catalogue } = deps;
  const { bucket, prefix } = deps.controlLocation;
  const problems: FieldError[] = [];
  let status: WorksetPreview['registration_status'] = 201;
  let request: RegistrationRequest | undefined;
  try {
    request = toRegistrationRequest(command.body, catalogue, command.staged);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    problems.push(...error.errors);
    status = error instanceof UnprocessableInputError ? 422 : 400;
  }
  // Registration checks the export location after the request (a 400).
  const exportProblem = exportUriProblem(command.body.export_uri, bucket);
  if (exportProblem) {
    problems.push(exportProblem);
    if (status === 201) status = 400;
  }
  const pipeline = findPipeline(catalogue, command.body.pipeline_type);
  const estimate = pipeline
    ? estimateCost(catalogue.cost_model, pipeline, catalogue.version, {
        // An invalid body's samples are counted when they are a list; a sheet or YAML one unread counts 1.
        sample_count: Math.max(request?.samples.length ?? command.body.samples?.length ?? 0, 1),
        estimated_coverage: 30,
        priority: command.body.priority,
      })
    : null;
  const base = { registration_status: status, problems, catalogue_version: catalogue.version, estimate };
  if (!request || status !== 201) {
    return { valid: false, ...base, workset_id: null, control_folder: null, pipeline_type: pipeline?.id ?? null, genome_build: null, files: null };
  }
  const record = newRecord({ customerId: command.customerId, request, actor: command.actor }, deps, { bucket, prefix }, undefined);
  const { files } = registrationObjects(record, request);
  const shown = files.map((file) => [file.key.slice(record.control_prefix.length), file.body] as const).filter(([name]) => SHOWN.has(name));
  const tooLarge = (body: string) => body.length > MAX_PREVIEW_SHEET_BYTES / 3 && Buffer.byteLength(body, 'utf8') > MAX_PREVIEW_SHEET_BYTES;
  const omitted = shown.filter(([, body]) => tooLarge(body)).map(([name]) => name);
  return {
    valid: true,
    ...base,
    workset_id: record.workset_id,
    control_folder: controlFolderUri(record),
    pipeline_type: record.pipeline_type,
    genome_build: request.genome_build,
    files: Object.fromEntries(shown.filter(([name]) => !omitted.includes(name))),
    ...(omitted.length > 0 ? { omitted_files: omitted } : {}),
  };
}

/** The preview of a create request as validated, its staged sheet (if it names one) read first. */
export async function previewRequest(deps: PreviewDeps, command: Omit<PreviewCommand, 'staged'>): Promise<WorksetPreview> {
  const staged = await readStagedSheet(deps, command.customerId, command.body);
  return previewWorkset(deps, { ...command, ...(staged ? { staged } : {}) });
}
