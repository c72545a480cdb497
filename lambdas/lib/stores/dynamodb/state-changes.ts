/**
 * State changes of the worksets adapter. Every change is ONE TransactWriteItems: the record update
 * conditioned on its state and version (and on the lease or the customer where the flow says so),
 * the history item, the queue counters, and the customer's slot counter when the change takes or
 * releases a slot. When a condition fails, the record is read afterwards
 * (never before) to say why.
 */
import { slotDelta } from '../../domain/customer.ts';
import { moveDelta } from '../../domain/queue-counters.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import type { StateChange, StateChanges } from '../../ports/worksets.ts';
import { counterUpdate as customerCounters, usageOf } from './customer-counters.ts';
import { counterUpdate, Expression, historyPut } from './expression.ts';
import { readRecord, transactGuarded, updateUnlessChanged, type DynamoContext } from './records.ts';
import { transactWrite } from './transactions.ts';
import { CLAIMABLE, isClaimableState, isLeaseLiveState, LIVE_LEASE } from './queue-index.ts';
import { FLAGGED_PARTITION, RECONCILE_AT, RECONCILE_KEY } from './reconcile-index.ts';
import { LEASE_ATTRIBUTES, leaseCondition } from './workset-leases.ts';
import type { TransactWriteItem } from './transactions.ts';

/** The record after a change the store wrote (what the update expression did, in memory). */
export function applyStateChange(base: WorksetRecord, change: StateChange): WorksetRecord {
  const next: Record<string, unknown> = {
    ...base,
    ...change.set,
    state: change.to,
    version: change.version + 1,
    updated_at: change.at,
    state_history: change.history,
  };
  for (const attribute of change.remove ?? []) delete next[attribute];
  if (change.metrics) next.metrics = { ...(change.metrics.exists ? base.metrics : {}), ...change.metrics.merge };
  if (change.revokeLease) {
    for (const attribute of LEASE_ATTRIBUTES) delete next[attribute];
    next.lease_epoch = (base.lease_epoch ?? 0) + 1;
  }
  return next as unknown as WorksetRecord;
}

function recordUpdate(ctx: DynamoContext, change: StateChange): TransactWriteItem {
  const e = new Expression();
  const set = [
    `${e.name('state')} = ${e.value(change.to)}`,
    `${e.name('version')} = ${e.value(change.version + 1)}`,
    `${e.name('updated_at')} = ${e.value(change.at)}`,
    `${e.name('state_history')} = ${e.value(change.history)}`,
  ];
  const remove: string[] = [];
  const conditions = [
    `${e.name('state')} = ${e.value(change.from)}`,
    e.atVersion(change.version),
  ];
  for (const [attribute, value] of Object.entries(change.set ?? {})) set.push(`${e.name(attribute)} = ${e.value(value)}`);
  for (const attribute of change.remove ?? []) remove.push(e.name(attribute));
  // The flag's index entry goes with the flag (reconcile-index.ts).
  if (change.remove?.includes('sentinel_sync_pending')) remove.push(e.name(RECONCILE_KEY), e.name(RECONCILE_AT));
  if (change.metrics) {
    if (change.metrics.exists) {
      for (const [key, value] of Object.entries(change.metrics.merge)) set.push(`${e.path('metrics', key)} = ${e.value(value)}`);
      // size() also fails when the map is missing: the attribute_exists of the form read.
      conditions.push(`size(${e.name('metrics')}) <= ${e.value(change.metrics.keysAtMost)}`);
    } else {
      set.push(`${e.name('metrics')} = ${e.value(change.metrics.merge)}`);
      // A progress write (which does not change the version) may have created it since.
      conditions.push(`attribute_not_exists(${e.name('metrics')})`);
    }
  }
  if (change.lease) conditions.push(leaseCondition(e, change.lease));
  if (change.revokeLease) {
    remove.push(...LEASE_ATTRIBUTES.map((attribute) => e.name(attribute)));
    set.push(`${e.name('lease_epoch')} = if_not_exists(${e.name('lease_epoch')}, ${e.value(0)}) + ${e.value(1)}`);
  }
  // The queue indexes follow: claimable only once no lease is left on a ready or retrying workset
  // (every transition into those states revokes the lease); a kept lease stays findable by its
  // expiry only while its workset is live.
  if (isClaimableState(change.to) && change.revokeLease) set.push(`${e.name(CLAIMABLE)} = ${e.value(change.to)}`);
  else remove.push(e.name(CLAIMABLE));
  if (change.revokeLease || !isLeaseLiveState(change.to)) remove.push(e.name(LIVE_LEASE));
  if (change.noLiveLeaseAt) {
    conditions.push(`(attribute_not_exists(${e.name('lock_owner')}) OR ${e.name('lease_expires_at')} <= ${e.value(change.noLiveLeaseAt)})`);
  }
  if (change.customerId !== undefined) conditions.push(`${e.name('customer_id')} = ${e.value(change.customerId)}`);
  return {
    Update: {
      TableName: ctx.tables.worksets,
      Key: { workset_id: change.worksetId },
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ...e.params(),
    },
  };
}

/** The customer's counter update of a change that takes (within the quota) or releases (unconditionally: it never blocks ending a run) a slot. */
function slotItem(ctx: DynamoContext, change: StateChange, customerId: string): TransactWriteItem | undefined {
  const delta = slotDelta(change.from, change.to);
  if (delta > 0 && !change.slot) throw new Error(`the change ${change.from} → ${change.to} of ${change.worksetId} takes a slot: it needs the customer's quota`);
  return delta === 0 ? undefined : customerCounters(ctx.tables.customers, customerId, delta, change.slot?.limit);
}

export function dynamoStateChanges(ctx: DynamoContext): StateChanges {
  const table = ctx.tables.worksets;
  return {
    async changeState(change, base) {
      const update = recordUpdate(ctx, change);
      const counter = counterUpdate(table, moveDelta(change.from, change.to), ctx.random);
      const slot = slotItem(ctx, change, base.customer_id);
      const outcome = await transactWrite(ctx.db, () => [update, historyPut(table, { worksetId: change.worksetId, customerId: base.customer_id, version: change.version + 1, entry: change.entry }), ...(counter ? [counter] : []), ...(slot ? [slot] : [])], {
        random: ctx.random,
      });
      if (outcome.ok) return { ok: true, record: applyStateChange(base, change) };
      const failed = outcome.failedConditions;
      // The record's own condition first: a lost race is decided again on the record as it is now.
      if (failed.has(0)) return { ok: false, current: await readRecord(ctx, change.worksetId) };
      // A take refused by its customer's quota.
      const slotIndex = 2 + (counter ? 1 : 0);
      if (slot && failed.has(slotIndex)) return { ok: false, current: await readRecord(ctx, change.worksetId), slot: { kind: 'quota-exceeded', usage: usageOf(outcome.oldItems[slotIndex]) } };
      throw new Error(`state change transaction refused by conditions ${[...failed].join(', ')}`);
    },

    markSentinels(input) {
      const e = new Expression();
      const attribute = e.name('sentinel_sync_pending');
      // With its entry in the reconcile index, so the reconciler finds the flagged in O(flagged).
      const [key, since] = [e.name(RECONCILE_KEY), e.name(RECONCILE_AT)];
      return updateUnlessChanged(ctx, input.worksetId, e, {
        UpdateExpression: input.pending
          ? `SET ${attribute} = ${e.value(input.pending)}, ${key} = ${e.value(FLAGGED_PARTITION)}, ${since} = ${e.value(input.pending.since)}`
          : `REMOVE ${attribute}, ${key}, ${since}`,
        // A newer state change owns the folder now (and repairs it with its own plan).
        ConditionExpression: e.atVersion(input.version),
      });
    },

    removeRecord(input) {
      const e = new Expression();
      return transactGuarded(
        ctx,
        () => [
          {
            Delete: {
              TableName: table,
              Key: { workset_id: input.worksetId },
              ConditionExpression: `${e.name('state')} = ${e.value('deleted')} AND ${e.atVersion(input.version)}`,
              ...e.params(),
            },
          },
          counterUpdate(table, moveDelta('deleted', null), ctx.random),
        ],
        'record removal',
      );
    },
  };
}
