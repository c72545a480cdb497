/**
 * Leases of the worksets adapter: each is ONE conditional UpdateItem on the record (grant, renew,
 * release, and progress, which is fenced by the lease). The state never changes here.
 */
import type { WorksetLeases } from '../../ports/worksets.ts';
import { Expression } from './expression.ts';
import { CLAIMABLE, isClaimableState, LIVE, LIVE_LEASE } from './queue-index.ts';
import { conditionalUpdate, readRecord, updateUnlessChanged, type DynamoContext } from './records.ts';

export const LEASE_ATTRIBUTES = ['lock_owner', 'lease_expires_at', 'lock_acquired_at'] as const;

/** The writer holds the lease (and, when given, at this epoch). */
export function leaseCondition(e: Expression, lease: { owner: string; epoch?: number | undefined }): string {
  const owner = `${e.name('lock_owner')} = ${e.value(lease.owner)}`;
  return lease.epoch === undefined ? owner : `${owner} AND ${e.name('lease_epoch')} = ${e.value(lease.epoch)}`;
}

export function dynamoWorksetLeases(ctx: DynamoContext): WorksetLeases {
  return {
    grantLease(input) {
      const e = new Expression();
      const state = e.name('state');
      const retryAfter = e.name('retry_after');
      const owner = e.name('lock_owner');
      const expires = e.name('lease_expires_at');
      const now = e.value(input.now);
      return conditionalUpdate(
        ctx,
        input.worksetId,
        e,
        {
          UpdateExpression:
            `SET ${owner} = ${e.value(input.owner)}, ${expires} = ${e.value(input.expiresAt)}, ${e.name('lock_acquired_at')} = ${now}, ` +
            `${e.name('lease_epoch')} = if_not_exists(${e.name('lease_epoch')}, ${e.value(0)}) + ${e.value(1)}, ` +
            // Progress merges metrics key by key, which needs the map to exist.
            `${e.name('metrics')} = if_not_exists(${e.name('metrics')}, ${e.value({})}), ${e.name('updated_at')} = ${now}, ` +
            // Out of the claimable index, into the lease-expiry index.
            `${e.name(LIVE_LEASE)} = ${e.value(LIVE)} REMOVE ${e.name(CLAIMABLE)}`,
          ConditionExpression:
            `attribute_exists(${e.name('workset_id')}) AND ` +
            `(${state} = ${e.value('ready')} OR (${state} = ${e.value('retrying')} AND (attribute_not_exists(${retryAfter}) OR ${retryAfter} <= ${now}))) AND ` +
            `(attribute_not_exists(${owner}) OR ${expires} <= ${now})`,
        },
        input.classify ?? true,
      );
    },

    renewLease(input) {
      const e = new Expression();
      const now = e.value(input.now);
      return conditionalUpdate(ctx, input.worksetId, e, {
        UpdateExpression: `SET ${e.name('lease_expires_at')} = ${e.value(input.expiresAt)}, ${e.name('updated_at')} = ${now}`,
        // An expired lease is up for grabs: renewing it would race a takeover.
        ConditionExpression: `${leaseCondition(e, { owner: input.owner, epoch: input.epoch })} AND ${e.name('lease_expires_at')} > ${now} AND ${e.oneOf('state', input.states)}`,
      });
    },

    async releaseLease(input) {
      const e = new Expression();
      const outcome = await conditionalUpdate(ctx, input.worksetId, e, {
        UpdateExpression: `SET ${e.name('updated_at')} = ${e.value(input.at)} REMOVE ${[...LEASE_ATTRIBUTES, LIVE_LEASE].map((attribute) => e.name(attribute)).join(', ')}`,
        ConditionExpression: leaseCondition(e, { owner: input.owner, epoch: input.epoch }),
      });
      if (!outcome.ok || !isClaimableState(outcome.record.state)) return outcome;
      // Released before it started: back into the claimable index (unless leased or moved on since).
      const back = new Expression();
      await updateUnlessChanged(ctx, input.worksetId, back, {
        UpdateExpression: `SET ${back.name(CLAIMABLE)} = ${back.value(outcome.record.state)}`,
        ConditionExpression: `${back.name('state')} = ${back.value(outcome.record.state)} AND attribute_not_exists(${back.name('lock_owner')})`,
      });
      return outcome;
    },

    async recordProgress(input) {
      // Leases granted here always create `metrics`; the second form covers a record without it.
      for (const metricsExist of [true, false]) {
        const e = new Expression();
        const set = [`${e.name('updated_at')} = ${e.value(input.at)}`];
        for (const [attribute, value] of Object.entries(input.set)) set.push(`${e.name(attribute)} = ${e.value(value)}`);
        // A lease that ran out is no lease: its run is about to be recovered by another worker.
        const conditions = [leaseCondition(e, input.lease), `${e.name('lease_expires_at')} > ${e.value(input.at)}`, e.oneOf('state', input.states)];
        if (input.metrics && Object.keys(input.metrics.merge).length > 0) {
          if (metricsExist) {
            for (const [key, value] of Object.entries(input.metrics.merge)) set.push(`${e.path('metrics', key)} = ${e.value(value)}`);
            conditions.push(`size(${e.name('metrics')}) <= ${e.value(input.metrics.keysAtMost)}`);
          } else {
            set.push(`${e.name('metrics')} = ${e.value(input.metrics.merge)}`);
            conditions.push(`attribute_not_exists(${e.name('metrics')})`);
          }
        }
        const outcome = await conditionalUpdate(ctx, input.worksetId, e, { UpdateExpression: `SET ${set.join(', ')}`, ConditionExpression: conditions.join(' AND ') });
        if (outcome.ok || !metricsExist || !outcome.current || outcome.current.metrics !== undefined) return outcome;
      }
      return { ok: false, current: await readRecord(ctx, input.worksetId) };
    },
  };
}
