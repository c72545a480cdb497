/**
 * The control folder of a workset (reference §4.2): which objects registration writes, with what
 * content, in what order. Pure: the flow hands the list to the control bucket store.
 */
import { renderInfoYaml, renderWorkYaml } from './manifests.ts';
import type { PipelineRun } from './pipeline-catalogue.ts';
import { readyObject, registrationFiles } from './registration.ts';
import { CONTROL_FILES, SAMPLE_DATA_KEEP_BODY } from './sentinels.ts';
import { renderStageSamples, type Sample } from './stage-samples.ts';
import type { WorksetRecord } from './workset.ts';

export interface ControlObject {
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
}

/** What a folder holds besides the record's fields: the samples and the pipeline they run. */
export interface FolderContents {
  readonly samples: readonly Sample[];
  readonly pipeline: PipelineRun;
  readonly catalogue_version: string;
  /** The name the request sent (an alias, or the id in any case). */
  readonly requested_pipeline_type: string;
}

/**
 * The registration files, `daylily.ready` always last: the monitor acts on `daylily.ready`, so it
 * must not exist before everything it reads does.
 */
export function registrationObjects(
  record: WorksetRecord,
  contents: FolderContents,
): { readonly files: readonly ControlObject[]; readonly ready: ControlObject } {
  const { samples } = contents;
  const content: Readonly<Record<string, () => Omit<ControlObject, 'key'>>> = {
    [CONTROL_FILES.workYaml]: () => ({ body: renderWorkYaml(record, contents), contentType: 'text/yaml' }),
    [CONTROL_FILES.infoYaml]: () => ({ body: renderInfoYaml(record, contents), contentType: 'text/yaml' }),
    [CONTROL_FILES.stageSamples]: () => ({ body: renderStageSamples(record.workset_id, samples), contentType: 'text/tab-separated-values' }),
    [CONTROL_FILES.sampleDataKeep]: () => ({ body: SAMPLE_DATA_KEEP_BODY, contentType: 'text/plain' }),
  };
  // Which files, and their keys, as the settle pass names them from the record.
  const files = registrationFiles(samples.length).map((name) => ({ key: `${record.control_prefix}${name}`, ...content[name]!() }));
  return { files, ready: readyObject(record) };
}
