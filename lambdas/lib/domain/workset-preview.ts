/** The answer of a registration's dry run (flows/registration/registration-preview.ts). */
import type { FieldError } from '../errors.ts';
import type { CostEstimate } from './cost-estimate.ts';

export interface WorksetPreview {
  /** Whether registration would accept this body (given the customer exists). */
  readonly valid: boolean;
  /** What registration would answer: 201, or 400 / 422 with these problems. */
  readonly registration_status: 201 | 400 | 422;
  readonly problems: readonly FieldError[];
  /** The rest is null when the body is not valid. */
  readonly workset_id: string | null;
  readonly control_folder: string | null;
  readonly pipeline_type: string | null;
  readonly genome_build: string | null;
  readonly catalogue_version: string;
  /** The files by name, as registration would write them (stage_samples.tsv only with samples). */
  readonly files: Readonly<Record<string, string>> | null;
  /** Files left out of `files` as too large for an answer (an uploaded sheet's stage_samples.tsv). */
  readonly omitted_files?: readonly string[];
  /** The estimate for the pipeline, the samples and the priority (30x, the model's data size). */
  readonly estimate: CostEstimate | null;
}
