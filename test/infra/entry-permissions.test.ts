/**
 * Entry access → IAM statements, for access shapes the entry-point table does not use yet (the stack
 * tests cover the ones it does): reads and listings of the control bucket.
 */
import { describe, expect, it } from 'vitest';
import { bucketGrants, isWriter, entryStatements, entryWildcards, usesControlBucket, type Resources } from '../../infra/entry-permissions.ts';
import { ENTRY_POINTS, type EntryPoint } from '../../infra/entry-points.ts';

const resources: Resources = {
  table: (name) => ({ table: `arn:${name}` }),
  bucketArn: 'arn:bucket',
  objectArn: (pattern) => `arn:bucket/${pattern}`,
  prefixes: { active: 'active/', archive: 'archived/', uploads: 'uploads/' },
  eventBusArn: 'arn:bus',
  sender: { address: 'noreply@lab.example', identityArns: ['arn:identity/noreply@lab.example', 'arn:identity/lab.example'] },
};

const route = (access: EntryPoint['access']): EntryPoint => ({
  id: 'Probe',
  trigger: { kind: 'http', method: 'GET', path: '/probe', auth: 'iam' },
  handler: 'lambdas/handlers/probe.ts',
  access,
  summary: 'probe',
  contract: { request: {}, responses: {} },
});

describe('route permissions', () => {
  it('lets an entry that publishes put events on the bus, and one that mails send only as the sender, from its address', () => {
    const publisher = route({ eventBus: ['publish'], email: ['send'] });
    expect(entryStatements(publisher, resources)).toEqual([
      { sid: 'EventBusPut', actions: ['events:PutEvents'], resources: ['arn:bus'] },
      {
        sid: 'NotificationEmailSend',
        actions: ['ses:SendEmail'],
        resources: ['arn:identity/noreply@lab.example', 'arn:identity/lab.example'],
        conditions: { StringEquals: { 'ses:FromAddress': ['noreply@lab.example'] } },
      },
    ]);
    // No sender configured: notifications are off, and nothing may be sent.
    const { sender: _sender, ...withoutSender } = resources;
    expect(entryStatements(publisher, withoutSender)).toEqual([{ sid: 'EventBusPut', actions: ['events:PutEvents'], resources: ['arn:bus'] }]);
    expect(entryWildcards(publisher, resources)).toEqual([]);
  });

  it('gives a monitor-style reader object reads and a listing confined to the control prefix', () => {
    const reader = route({ controlBucket: ['get', 'list'] });
    expect(entryStatements(reader, resources)).toEqual([
      { sid: 'ControlBucketActiveObjects', actions: ['s3:GetObject'], resources: ['arn:bucket/active/*'] },
      {
        sid: 'ControlBucketActiveList',
        actions: ['s3:ListBucket'],
        resources: ['arn:bucket'],
        conditions: { StringLike: { 's3:prefix': ['active/*'] } },
      },
    ]);
    expect(isWriter(reader)).toBe(false);
    expect(usesControlBucket(reader)).toBe(true);
  });

  it('acknowledges exactly the object wildcards it grants, and none for a listing alone', () => {
    expect(entryWildcards(route({ controlBucket: ['list'] }), resources)).toEqual([]);
    const wildcards = entryWildcards(route({ controlBucket: ['put', 'list'] }), resources);
    expect(wildcards.map((wildcard) => wildcard.resource)).toEqual(['arn:bucket/active/*']);
    expect(wildcards[0]!.reason).toMatch(/only under the active prefix "active\/"/);
  });

  it('lets a writer abort the multipart upload of a large copy wherever it may put objects', () => {
    const mover = route({ controlBucket: ['get', 'put', 'delete', 'list'], archive: ['put'] });
    const objects = entryStatements(mover, resources).filter((statement) => statement.sid.endsWith('Objects'));
    expect(objects).toEqual([
      { sid: 'ControlBucketActiveObjects', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: ['arn:bucket/active/*'] },
      { sid: 'ControlBucketArchiveObjects', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: ['arn:bucket/archived/*'] },
    ]);
  });

  it('lets every route that syncs sentinels both put and delete them in the active prefix (a fenced sync may reconcile the whole folder)', () => {
    // Archive syncs only its destination, under the archive prefix.
    const syncing = ['ClaimWorkset', 'AcquireLease', 'ReleaseLease', 'SetWorksetState', 'RecordFailure', 'CancelWorkset', 'RetryWorkset', 'RestoreWorkset', 'DeleteWorkset'];
    for (const id of syncing) {
      const entry = ENTRY_POINTS.find((candidate) => candidate.id === id)!;
      expect(entry.access.controlBucket, id).toEqual(expect.arrayContaining(['put', 'delete']));
    }
  });

  it('grants nothing on the bucket or on unnamed tables to a route that asks for nothing', () => {
    expect(entryStatements(route({}), resources)).toEqual([]);
    expect(bucketGrants({})).toEqual([]);
  });

  it('grants queries only on the indexes a route names: each one lists worksets across customers', () => {
    expect(entryStatements(route({ tables: { worksets: 'read', customers: 'read' } }), resources).map((statement) => statement.sid)).toEqual([
      'WorksetsTableRead',
      'CustomersTableRead',
    ]);
    const statements = entryStatements(route({ tables: { worksets: 'read' }, indexes: { worksets: ['state-queue-index'] } }), resources);
    expect(statements).toContainEqual({ sid: 'WorksetsIndexQuery', actions: ['dynamodb:Query'], resources: ['arn:worksets/index/state-queue-index'] });
  });

  it('refuses an index the table does not define, or one whose table the route cannot read', () => {
    expect(() => entryStatements(route({ tables: { worksets: 'read' }, indexes: { worksets: ['no-such-index'] } }), resources)).toThrow(/Probe: .*unknown: no-such-index/);
    expect(() => entryStatements(route({ indexes: { worksets: ['state-queue-index'] } }), resources)).toThrow(/Probe: .*need the table in its access/);
  });
});
