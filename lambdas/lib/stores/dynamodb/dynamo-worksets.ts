/**
 * The worksets store on DynamoDB, assembled from its modules by job. Each assembly is what one
 * kind of function is wired with: a bundle carries only the modules its assembly names.
 */
import type { Registrations, StateChanges, WorksetLifecycle, WorksetQueries, WorksetReads, WorksetStore } from '../../ports/worksets.ts';
import { dynamoFolderMoves } from './folder-moves.ts';
import { dynamoReconciliation } from './reconciliation.ts';
import type { DynamoContext } from './records.ts';
import { dynamoRegistrations } from './registrations.ts';
import { dynamoStateChanges } from './state-changes.ts';
import { dynamoWorksetLeases } from './workset-leases.ts';
import { dynamoWorksetQueries } from './workset-queries.ts';

export type { DynamoContext };

export function dynamoWorksetReads(ctx: DynamoContext): WorksetReads {
  return { ...dynamoWorksetQueries(ctx), ...dynamoWorksetLeases(ctx) };
}

export function dynamoWorksetLifecycle(ctx: DynamoContext): WorksetLifecycle {
  return { ...dynamoWorksetReads(ctx), ...dynamoStateChanges(ctx), ...dynamoFolderMoves(ctx) };
}

export function dynamoRegistrationStore(ctx: DynamoContext): Registrations {
  return dynamoRegistrations(ctx);
}

/** The settle pass: registration's writes, the listing that finds `registering` records, and the sentinel flag. */
export function dynamoSettleStore(ctx: DynamoContext): Registrations & Pick<WorksetQueries, 'listWorksets'> & Pick<StateChanges, 'markSentinels'> {
  const { listWorksets } = dynamoWorksetQueries(ctx);
  const { markSentinels } = dynamoStateChanges(ctx);
  return { ...dynamoRegistrations(ctx), listWorksets, markSentinels };
}

/** The whole port: the reconciler (which settles, recovers, syncs and recounts), tools and tests. */
export function dynamoWorksetStore(ctx: DynamoContext): WorksetStore {
  return { ...dynamoWorksetLifecycle(ctx), ...dynamoRegistrations(ctx), ...dynamoReconciliation(ctx) };
}
