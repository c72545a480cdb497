/**
 * What a customer can do to its worksets besides moving them: cancel a run, retry a finished one.
 * Ownership is by customer_id (another customer's workset is "not found"), checked on the record
 * read AND in the write's condition.
 */
import { CUSTOMER_VIAS } from '../../domain/lifecycle.ts';
import type { WorksetDetail } from '../../domain/workset-detail.ts';
import type { ControlBucketDeps } from '../deps.ts';
import { enteringEffects } from './effects.ts';
import { detailOf, transition } from './transition.ts';

export interface CustomerCommand {
  readonly customerId: string;
  readonly worksetId: string;
  readonly actor: string;
  readonly reason?: string;
}

/**
 * From ready, retrying or in_progress. A leased workset keeps its lease: the worker's next
 * heartbeat or write answers 409 with `current_state: canceled`, and it stops.
 */
export async function cancelWorkset(deps: ControlBucketDeps, command: CustomerCommand): Promise<WorksetDetail> {
  const reason = command.reason ?? 'Canceled by customer';
  const result = await transition(deps, {
    worksetId: command.worksetId,
    customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
    to: 'canceled',
    via: ['cancel'],
    reason,
    actor: command.actor,
    effects: (record, to, via, now) => {
      const effects = enteringEffects(record, to, via, now);
      return { ...effects, set: { ...effects.set, cancel_reason: reason } };
    },
  });
  return detailOf(result);
}

/** From error, failed or canceled back to ready: fresh retry counters, the old run fenced off. */
export async function retryWorkset(deps: ControlBucketDeps, command: CustomerCommand): Promise<WorksetDetail> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
    to: 'ready',
    via: ['retry'],
    reason: command.reason ?? 'Retry requested by customer',
    actor: command.actor,
    effects: enteringEffects,
  });
  return detailOf(result);
}
