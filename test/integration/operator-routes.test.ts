/** The operator's reads: listings with filters and cursors, one workset, and the entry-point table's literals. */
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../infra/local/router.ts';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('operator-routes');
const { seed } = worksetFixtures(aws);
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();

async function allPages(query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await call('ListWorksets', { query: { ...query, ...(next ? { next_token: next } : {}) } });
    expect(page.status, page.text).toBe(200);
    ids.push(...page.json.worksets.map((workset: { workset_id: string }) => workset.workset_id));
    next = page.json.next_token ?? undefined;
  } while (next);
  return ids;
}

describe('operator routes', () => {
  it('routes /worksets/next and /worksets/claim to their own handlers, not /worksets/{workset_id}', () => {
    const router = createRouter(HTTP_ENTRIES);
    expect(router.match('GET', '/worksets/next')).toMatchObject({ kind: 'found', route: { id: 'NextWorkset' } });
    expect(router.match('POST', '/worksets/claim')).toMatchObject({ kind: 'found', route: { id: 'ClaimWorkset' } });
    expect(router.match('GET', '/worksets/ws-00000000')).toMatchObject({ kind: 'found', route: { id: 'GetWorkset' } });
    expect(router.match('DELETE', '/worksets/ws-00000000/lock')).toMatchObject({ kind: 'found', route: { id: 'ReleaseLease' } });
  });

  it('lists one state in queue order (urgent first, oldest first), by priority, and by customer, page by page', async () => {
    const low = await seed({ state: 'failed', priority: 'low', createdAt: at(0), customerId: 'lab-x' });
    const urgentNew = await seed({ state: 'failed', priority: 'urgent', createdAt: at(9), customerId: 'lab-y' });
    const urgentOld = await seed({ state: 'failed', priority: 'urgent', createdAt: at(5), customerId: 'lab-x' });
    const normal = await seed({ state: 'failed', priority: 'normal', createdAt: at(1), customerId: 'lab-x' });
    await seed({ state: 'complete', priority: 'urgent', createdAt: at(2), customerId: 'lab-x' });

    expect(await allPages({ state: 'failed', limit: '1' })).toEqual([urgentOld, urgentNew, normal, low].map((w) => w.workset_id));
    expect(await allPages({ state: 'failed', priority: 'urgent', limit: '1' })).toEqual([urgentOld, urgentNew].map((w) => w.workset_id));
    const lab = await allPages({ customer_id: 'lab-x', state: 'failed', limit: '2' });
    expect(lab.sort()).toEqual([low, urgentOld, normal].map((w) => w.workset_id).sort());
  });

  it('lists every state in turn with a cursor that crosses states, without duplicates or gaps', async () => {
    const seeded = await Promise.all(
      (['ready', 'canceled', 'ignored', 'deleted', 'ready', 'error'] as const).map((state, i) => seed({ state, createdAt: at(100 + i), files: false })),
    );
    const everything = await allPages({ limit: '3' });
    expect(new Set(everything).size).toBe(everything.length);
    for (const workset of seeded) expect(everything).toContain(workset.workset_id);
    const page = await call('ListWorksets', { query: { limit: '2' } });
    expect(page.json.worksets[0]).toMatchObject({ lock_owner: null, lease_epoch: null, retry_count: 0, sentinels: { in_sync: true } });
  });

  it('rejects an unknown filter value or a forged cursor with 400', async () => {
    expect((await call('ListWorksets', { query: { state: 'locked' } })).status).toBe(400);
    expect((await call('ListWorksets', { query: { priority: 'high' } })).status).toBe(400);
    expect((await call('ListWorksets', { query: { next_token: 'garbage' } })).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ state: 'ready', workset_id: 'x', queue_order: 'y', extra: 'z' })).toString('base64url');
    expect((await call('ListWorksets', { query: { next_token: forged } })).status).toBe(400);
  });

  it('answers one workset with its lifecycle fields, 404 for unknown or impossible ids', async () => {
    const workset = await seed({ state: 'retrying', extra: { retry_count: 2, retry_after: at(60) } });
    const response = await call('GetWorkset', { path: { workset_id: workset.workset_id } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ workset_id: workset.workset_id, state: 'retrying', retry_count: 2, retry_after: at(60) });
    expect((await call('GetWorkset', { path: { workset_id: 'ws-ffffffff' } })).status).toBe(404);
    expect((await call('GetWorkset', { path: { workset_id: '#queue-stats#00' } })).status).toBe(404);
  });
});

describe('answers that fit a Lambda response', () => {
  it('a page of large worksets ends early (under 5 MB), its cursor leading on to every workset exactly once', async () => {
    const customerId = 'large-records-lab';
    // 100 metric keys of 500 bytes: as large as a record's metrics may grow.
    const metrics = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, 'x'.repeat(500)]));
    const seeded = [];
    for (let batch = 0; batch < 4; batch += 1) {
      seeded.push(...(await Promise.all(Array.from({ length: 25 }, (_, i) => seed({ customerId, state: 'complete', createdAt: at(batch * 25 + i), files: false, extra: { metrics } })))));
    }
    const ids: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await call('ListCustomerWorksets', { path: { customer_id: customerId }, query: { limit: '100', ...(next ? { next_token: next } : {}) } });
      expect(page.status).toBe(200);
      expect(page.text.length).toBeLessThan(5 * 1024 * 1024);
      ids.push(...page.json.worksets.map((workset: { workset_id: string }) => workset.workset_id));
      next = page.json.next_token ?? undefined;
      pages += 1;
    } while (next);
    expect(pages).toBeGreaterThan(1);
    expect(ids.sort()).toEqual(seeded.map((workset) => workset.workset_id).sort());

    const first = await call('ListWorksets', { query: { customer_id: customerId, limit: '1000' } });
    expect(first.text.length).toBeLessThan(5 * 1024 * 1024);
    expect(first.json.next_token).not.toBeNull();
  });
});
