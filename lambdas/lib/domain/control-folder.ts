/**
 * The control folder of a workset (reference §4.2): which objects registration writes, with what
 * content, in what order. Pure: the flow hands the list to the control bucket store.
 */
import { renderInfoYaml, renderWorkYaml } from './manifests.ts';
import { CONTROL_FILES, SAMPLE_DATA_KEEP_BODY, SENTINELS } from './sentinels.ts';
import { renderStageSamples, type Sample } from './stage-samples.ts';
import type { WorksetRecord } from './workset.ts';

export interface ControlObject {
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
}

/**
 * The registration files, `daylily.ready` always last: the monitor acts on `daylily.ready`, so it
 * must not exist before everything it reads does.
 */
export function registrationObjects(
  record: WorksetRecord,
  samples: readonly Sample[],
): { readonly files: readonly ControlObject[]; readonly ready: ControlObject } {
  const at = (name: string) => `${record.control_prefix}${name}`;
  const files: ControlObject[] = [
    { key: at(CONTROL_FILES.workYaml), body: renderWorkYaml(record), contentType: 'text/yaml' },
    { key: at(CONTROL_FILES.infoYaml), body: renderInfoYaml(record, samples), contentType: 'text/yaml' },
  ];
  if (samples.length > 0) {
    files.push(
      {
        key: at(CONTROL_FILES.stageSamples),
        body: renderStageSamples(record.workset_id, samples),
        contentType: 'text/tab-separated-values',
      },
      { key: at(CONTROL_FILES.sampleDataKeep), body: SAMPLE_DATA_KEEP_BODY, contentType: 'text/plain' },
    );
  }
  return { files, ready: { key: at(SENTINELS.ready), body: record.created_at, contentType: 'text/plain' } };
}
