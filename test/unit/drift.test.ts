/** What the reconciler expects of a folder, and what its metrics look like: pure rules. */
import { describe, expect, it } from 'vitest';
import { ACTIVE_STATES, expectedSentinels, folderOf, needsItsRecord, nextInRotation, RECOUNT_ROTATION, sentinelDrift, sentinelsIn } from '../../lambdas/lib/domain/drift.ts';
import { holdsSlot } from '../../lambdas/lib/domain/customer.ts';
import { WORKSET_STATES } from '../../lambdas/lib/domain/workset.ts';
import { metricDocument } from '../../lambdas/lib/metrics.ts';

describe('what a pass reads', () => {
  it('holds every workset that holds a slot: the quota recount counts from the active states alone', () => {
    expect(WORKSET_STATES.filter(holdsSlot).length).toBeGreaterThan(0);
    expect(WORKSET_STATES.filter((state) => holdsSlot(state) && !(ACTIVE_STATES as readonly string[]).includes(state))).toEqual([]);
  });
});

describe('a folder against its record', () => {
  it('should show the state sentinel, and daylily.lock while leased', () => {
    expect([...expectedSentinels({ state: 'in_progress', lock_owner: 'w' })].sort()).toEqual(['daylily.in_progress', 'daylily.lock']);
    expect([...expectedSentinels({ state: 'canceled' })]).toEqual(['daylily.error']);
    expect([...expectedSentinels({ state: 'retrying' })]).toEqual([]);
    expect([...expectedSentinels({ state: 'archived', archived_from: 'complete' })]).toEqual(['daylily.complete']);
  });

  it('differs by what is missing and what is extra, other files aside', () => {
    const present = sentinelsIn(['daylily.ready', 'daylily.complete', 'daylily_work.yaml', 'results/daylily.ready']);
    expect(sentinelDrift({ state: 'complete' }, present)).toEqual({ missing: [], extra: ['daylily.ready'] });
    expect(sentinelDrift({ state: 'ready', lock_owner: 'w' }, sentinelsIn(['daylily.ready']))).toEqual({ missing: ['daylily.lock'], extra: [] });
    expect(sentinelDrift({ state: 'ready' }, sentinelsIn(['daylily.ready']))).toBeUndefined();
  });

  it('needs its record read, when no active record explains it, only for what an active state or no state shows', () => {
    expect(needsItsRecord(sentinelsIn(['daylily.complete']))).toBe(false);
    expect(needsItsRecord(sentinelsIn(['daylily.ignore', 'daylily.lock']))).toBe(false);
    expect(needsItsRecord(sentinelsIn(['daylily.ready']))).toBe(true);
    expect(needsItsRecord(sentinelsIn(['daylily.in_progress']))).toBe(true);
    expect(needsItsRecord(sentinelsIn([]))).toBe(true);
    expect(needsItsRecord(sentinelsIn(['daylily.error', 'daylily.complete']))).toBe(true);
  });

  it('is found by its key: the workset id under the control prefix, and the name inside', () => {
    expect(folderOf('p/', 'p/ws-1/daylily.ready')).toEqual({ worksetId: 'ws-1', name: 'daylily.ready' });
    expect(folderOf('p/', 'p/ws-1/results/x.vcf')).toEqual({ worksetId: 'ws-1', name: 'results/x.vcf' });
    expect(folderOf('p/', 'p/loose-file')).toBeUndefined();
    expect(folderOf('p/', 'q/ws-1/x')).toBeUndefined();
  });
});

describe('the counters recounted', () => {
  it('every pass: the active states; in turn, each other state once', () => {
    expect([...ACTIVE_STATES, ...RECOUNT_ROTATION].sort()).toEqual([...WORKSET_STATES].sort());
    const turns = [nextInRotation(undefined)];
    while (turns.length < RECOUNT_ROTATION.length + 1) turns.push(nextInRotation(turns.at(-1)));
    expect(turns.slice(0, -1)).toEqual([...RECOUNT_ROTATION]);
    expect(turns.at(-1)).toBe(RECOUNT_ROTATION[0]);
  });
});

describe('EMF', () => {
  it('names the metrics, their units and dimensions in _aws, their values at the top level', () => {
    expect(metricDocument('Daylily/Reconciler', { RepairKind: 'sentinels' }, [{ name: 'DriftFound', value: 2, unit: 'Count' }], new Date(1_000))).toEqual({
      _aws: { Timestamp: 1_000, CloudWatchMetrics: [{ Namespace: 'Daylily/Reconciler', Dimensions: [['RepairKind']], Metrics: [{ Name: 'DriftFound', Unit: 'Count' }] }] },
      RepairKind: 'sentinels',
      DriftFound: 2,
    });
  });
});
