/** Every few minutes (a schedule): one reconciler pass, within the function's time (flows/reconciler/reconcile.ts) */
import type { Context } from 'aws-lambda';
import { reconcile } from '../lib/flows/reconciler/reconcile.ts';
import { reconcilerDeps } from '../lib/wiring/reconciler-deps.ts';

/** A pass stops this long before the function's timeout: time to write its cursor and metrics. */
const MARGIN_MS = 30_000;
/** And runs at most this long, well inside a five-minute period. */
const BUDGET_MS = 240_000;

export async function handler(_tick: unknown, context: Context) {
  const report = await reconcile(reconcilerDeps(), { budgetMs: Math.max(0, Math.min(BUDGET_MS, context.getRemainingTimeInMillis() - MARGIN_MS)) });
  const { repairs: _repairs, ...summary } = report;
  return summary;
}
