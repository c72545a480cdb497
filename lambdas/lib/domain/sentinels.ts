/**
 * Sentinel objects of the control folder, read by the cluster-side monitor (reference §4.4).
 * The names are a contract with the monitor: never rename them.
 */
export const SENTINELS = {
  ready: 'daylily.ready',
  lock: 'daylily.lock',
  inProgress: 'daylily.in_progress',
  error: 'daylily.error',
  complete: 'daylily.complete',
  ignore: 'daylily.ignore',
} as const;
export type SentinelName = (typeof SENTINELS)[keyof typeof SENTINELS];

/** The other files of a control folder (reference §4.2). */
export const CONTROL_FILES = {
  workYaml: 'daylily_work.yaml',
  infoYaml: 'daylily_info.yaml',
  stageSamples: 'stage_samples.tsv',
  sampleDataKeep: 'sample_data/.keep',
} as const;

export const SAMPLE_DATA_KEEP_BODY = 'placeholder for external sample data references';
