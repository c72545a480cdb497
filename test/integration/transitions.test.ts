/**
 * The transition table, exhaustively through the API: every state × every target. Allowed moves
 * succeed through their route and leave a control folder the monitor reads as DynamoDB says;
 * forbidden ones answer 409 with the current state and the allowed targets, and change nothing.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { allowedTargets, TRANSITIONS, type TransitionVia } from '../../lambdas/lib/domain/lifecycle.ts';
import { WORKSET_STATES, type WorksetState } from '../../lambdas/lib/domain/workset.ts';
import { call, type CallResult } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('transitions');
const { seed, record, monitorAgrees } = worksetFixtures(aws);
const CUSTOMER = 'lab-t';
const LEASE = { owner_id: 'worker-t', lease_epoch: 1 };
const liveLease = () => ({ lock_owner: LEASE.owner_id, lease_epoch: 1, lease_expires_at: new Date(Date.now() + 600_000).toISOString() });

/** The archived_from that makes restore land on `to`. */
const ARCHIVED_FROM: Partial<Record<WorksetState, WorksetState>> = { complete: 'complete', canceled: 'canceled', ignored: 'ignored', ready: 'error' };

async function seedIn(from: WorksetState, to: WorksetState) {
  const leased = from === 'ready' || from === 'retrying' || from === 'in_progress';
  return seed({
    state: from,
    customerId: CUSTOMER,
    extra: {
      ...(leased ? liveLease() : {}),
      ...(from === 'retrying' ? { retry_after: new Date(Date.now() - 1000).toISOString(), retry_count: 1 } : {}),
      ...(from === 'archived' ? { archived_from: ARCHIVED_FROM[to] ?? 'complete' } : {}),
    },
  });
}

/** The route a caller uses for `via`, and the call. */
function routeCall(via: TransitionVia, worksetId: string, to: WorksetState): Promise<CallResult> {
  const customer = { customer_id: CUSTOMER, workset_id: worksetId };
  switch (via) {
    case 'cancel':
      return call('CancelWorkset', { path: customer, body: { reason: 'test' } });
    case 'retry':
      return call('RetryWorkset', { path: customer });
    case 'archive':
      return call('ArchiveWorkset', { path: customer });
    case 'restore':
      return call('RestoreWorkset', { path: customer });
    case 'delete':
      return call('DeleteWorkset', { path: customer, body: {} });
    case 'failure':
      return call('RecordFailure', {
        path: { workset_id: worksetId },
        body: { ...LEASE, error_details: 'boom', error_category: to === 'failed' ? 'permanent' : 'transient' },
      });
    case 'operator':
      return call('OverrideWorksetState', { path: { workset_id: worksetId }, body: { state: to, reason: 'test' } });
    default:
      // A worker always names its lease (one it may not hold: that is a 409 too).
      return call('SetWorksetState', { path: { workset_id: worksetId }, body: { state: to, reason: 'test', ...LEASE } });
  }
}

/** The dedicated route that would make `to` if it were allowed (PUT …/state otherwise). */
function routeFor(to: WorksetState, from: WorksetState): TransitionVia {
  if (to === 'archived') return 'archive';
  if (to === 'deleted') return 'delete';
  if (to === 'canceled') return 'cancel';
  if (from === 'archived') return 'lease';
  if ((to === 'ready' && (from === 'error' || from === 'failed' || from === 'canceled'))) return 'retry';
  if ((to === 'retrying' || to === 'failed') && from === 'in_progress') return 'failure';
  return 'lease';
}

describe('the transition table through the API', () => {
  for (const from of WORKSET_STATES) {
    it(`from ${from}: every allowed target succeeds with matching sentinels, every other answers 409`, async () => {
      for (const to of WORKSET_STATES.filter((state) => state !== 'registering')) {
        const ways = TRANSITIONS[from][to];
        const via = ways?.find((way) => way !== 'registration' && way !== 'operator') ?? ways?.find((way) => way === 'operator') ?? routeFor(to, from);
        const workset = await seedIn(from, to);
        const response = await routeCall(via, workset.workset_id, to);
        const label = `${from} → ${to} via ${via}`;
        if (ways && !ways.includes('registration')) {
          expect(response.status, `${label}: ${response.text}`).toBe(200);
          const stored = (await record(workset.workset_id))!;
          expect(stored.state, label).toBe(to);
          expect(stored.version, label).toBe(2);
          expect(response.json.state_history.at(-1), label).toMatchObject({ from, to });
          const folder = await monitorAgrees(workset.workset_id);
          expect(folder.actual, label).toBe(folder.expected);
          expect(folder.lock, label).toBe(folder.leased);
        } else {
          expect(response.status, `${label}: ${response.text}`).toBe(409);
          expect(response.json.current_state, label).toBe(from);
          if (response.json.allowed_states) expect(response.json.allowed_states, label).toEqual(expect.any(Array));
          expect((await record(workset.workset_id))!.state, label).toBe(from);
        }
      }
    });
  }

  it('never lets a workset back into registering', async () => {
    const workset = await seed();
    const response = await call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'registering', reason: 'x' } });
    expect(response.status).toBe(400);
  });

  it('lists where a workset could go in the 409', async () => {
    const workset = await seedIn('complete', 'ready');
    const response = await call('OverrideWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'ready', reason: 'again' } });
    expect(response.status).toBe(409);
    expect(response.json).toMatchObject({ current_state: 'complete', requested_state: 'ready', allowed_states: allowedTargets('complete', ['operator', 'lease']) });
    const customer = await call('RetryWorkset', { path: { customer_id: CUSTOMER, workset_id: workset.workset_id } });
    expect(customer.status).toBe(409);
    expect(customer.json.allowed_states).toEqual(['archived', 'deleted']);
  });

  it('a worker transition without the lease is a 400 naming owner_id and lease_epoch', async () => {
    const workset = await seed({ customerId: CUSTOMER });
    const response = await call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'in_progress', reason: 'start' } });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error: { field: string }) => error.field)).toEqual(['owner_id', 'lease_epoch']);
  });

  it('an operator can end an abandoned run (no live lease) but not a live one', async () => {
    const live = await seed({ state: 'in_progress', extra: liveLease() });
    expect((await call('OverrideWorksetState', { path: { workset_id: live.workset_id }, body: { state: 'error', reason: 'stuck' } })).status).toBe(409);
    const abandoned = await seed({ state: 'in_progress', extra: { ...liveLease(), lease_expires_at: new Date(Date.now() - 1).toISOString() } });
    const ended = await call('OverrideWorksetState', { path: { workset_id: abandoned.workset_id }, body: { state: 'error', reason: 'worker lost', error_details: 'no heartbeat' } });
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ state: 'error', error_details: 'no heartbeat' });
  });

  it('two writers racing on one workset: exactly one transition wins, the other gets 409', async () => {
    const workset = await seed({ customerId: CUSTOMER, extra: liveLease() });
    const [start, cancel] = await Promise.all([
      call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'in_progress', reason: 'start', ...LEASE } }),
      call('CancelWorkset', { path: { customer_id: CUSTOMER, workset_id: workset.workset_id } }),
    ]);
    const stored = (await record(workset.workset_id))!;
    // Either order is legal (ready → in_progress → canceled, or ready → canceled then 409).
    expect([start.status, cancel.status]).toContain(200);
    expect(stored.state).toBe('canceled');
    expect(stored.version).toBe(1 + [start, cancel].filter((answer) => answer.status === 200).length);
  });

  it('keeps the latest 20 entries inline and every entry in the paginated logs', async () => {
    const workset = await seed({ customerId: CUSTOMER, state: 'error' });
    const path = { customer_id: CUSTOMER, workset_id: workset.workset_id };
    for (let i = 0; i < 12; i += 1) {
      expect((await call('RetryWorkset', { path })).status).toBe(200);
      expect((await call('CancelWorkset', { path })).status).toBe(200);
    }
    const stored = (await record(workset.workset_id))!;
    expect(stored.state_history).toHaveLength(20);
    expect(stored.state_history.at(-1)).toMatchObject({ from: 'ready', to: 'canceled' });

    const entries: Array<{ from: string; to: string }> = [];
    let next: string | undefined;
    do {
      const page = await call('WorksetLogs', { path, query: { limit: '7', ...(next ? { next_token: next } : {}) } });
      expect(page.status).toBe(200);
      entries.push(...page.json.logs);
      next = page.json.next_token ?? undefined;
    } while (next);
    expect(entries).toHaveLength(24);
    expect(entries[0]).toMatchObject({ from: 'error', to: 'ready' });
    expect(entries.every((entry, i) => i === 0 || entry.from === entries[i - 1]!.to)).toBe(true);
    expect((await call('WorksetLogs', { path: { customer_id: 'someone-else', workset_id: workset.workset_id } })).status).toBe(404);
  });
});

describe('queue stats', () => {
  it('are exact after 1,000 mixed transitions, including racing writers', async () => {
    const worksets = await Promise.all(Array.from({ length: 60 }, () => seed({ customerId: CUSTOMER, files: false })));
    let successes = 0;
    let attempts = 0;
    /** One transition attempt; false once the workset is deleted (its chain ends). */
    const step = async (worksetId: string, owner: string): Promise<boolean> => {
      const current = (await record(worksetId))!;
      const path = { workset_id: worksetId };
      const customer = { customer_id: CUSTOMER, workset_id: worksetId };
      const lease = { owner_id: owner, lease_epoch: current.lease_epoch ?? 0 };
      const pick = <T,>(options: T[]): T => options[Math.floor(Math.random() * options.length)]!;
      let answer: CallResult;
      switch (current.state) {
        case 'ready': {
          const action = pick(['start', 'start', 'cancel', 'ignore', 'delete']);
          if (action === 'start') {
            const granted = await call('AcquireLease', { path, body: { owner_id: owner } });
            if (granted.status !== 200) return true;
            answer = await call('SetWorksetState', { path, body: { state: 'in_progress', reason: 'r', owner_id: owner, lease_epoch: granted.json.lease_epoch } });
          } else if (action === 'cancel') answer = await call('CancelWorkset', { path: customer });
          else if (action === 'ignore') answer = await call('OverrideWorksetState', { path, body: { state: 'ignored', reason: 'r' } });
          else answer = await call('DeleteWorkset', { path: customer, body: {} });
          break;
        }
        case 'in_progress': {
          const action = pick(['complete', 'error', 'fail', 'cancel']);
          if (action === 'fail') answer = await call('RecordFailure', { path, body: { ...lease, error_details: 'x', error_category: pick(['transient', 'data']) } });
          else if (action === 'cancel') answer = await call('CancelWorkset', { path: customer });
          else answer = await call('SetWorksetState', { path, body: { state: action, reason: 'r', ...lease } });
          break;
        }
        case 'retrying':
          answer = pick([true, false]) ? await call('OverrideWorksetState', { path, body: { state: 'ready', reason: 'r' } }) : await call('CancelWorkset', { path: customer });
          break;
        case 'ignored':
          answer = await call('OverrideWorksetState', { path, body: { state: 'ready', reason: 'r' } });
          break;
        case 'deleted':
          return false;
        default:
          answer = pick([true, true, true, false]) ? await call('RetryWorkset', { path: customer }) : await call('DeleteWorkset', { path: customer, body: {} });
      }
      attempts += 1;
      if (answer.status === 200) successes += 1;
      else expect([409, 400]).toContain(answer.status);
      return true;
    };
    // Two writers per workset, so some changes race and lose with a 409.
    const chains = worksets.flatMap((workset) => [`a`, `b`].map(async (owner) => {
      while (successes < 1000 && (await step(workset.workset_id, `${owner}-${workset.workset_id}`)));
    }));
    await Promise.all(chains);
    // Deleted worksets end their chains; top up with fresh ones until 1,000 transitions happened.
    while (successes < 1000) {
      const extra = await seed({ customerId: CUSTOMER, files: false });
      while (successes < 1000 && (await step(extra.workset_id, 'c')));
    }
    expect(successes).toBeGreaterThanOrEqual(1000);
    expect(attempts).toBeGreaterThan(successes - 1);

    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const scan = await aws.ddb.send(new ScanCommand({ TableName: aws.tables.worksets, ConsistentRead: true, ExclusiveStartKey: startKey }));
      items.push(...(scan.Items ?? []).filter((item) => !String(item.workset_id).includes('#')));
      startKey = scan.LastEvaluatedKey;
    } while (startKey);
    const actual = Object.fromEntries(WORKSET_STATES.map((state) => [state, items.filter((item) => item.state === state).length]));
    const stats = await call('QueueStats');
    expect(stats.status).toBe(200);
    expect(stats.json.queue_depth).toEqual(actual);
    expect(stats.json.total_worksets).toBe(items.length);
  }, 120_000);
});
