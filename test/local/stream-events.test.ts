/** How the local stream runner reads a handler's answer and shapes a record, as Lambda does. */
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { batchOutcome, lambdaRecord } from '../../infra/local/triggers.ts';

const SEQUENCES = ['100', '200', '300'];

describe('batchOutcome (ReportBatchItemFailures)', () => {
  it('takes no answer, an empty list or a null list as success', () => {
    for (const answer of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(batchOutcome(answer, SEQUENCES), JSON.stringify(answer)).toEqual({ kind: 'ok' });
    }
  });

  it('checkpoints before the earliest failed record, whatever order the failures are listed in', () => {
    expect(batchOutcome({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] }, SEQUENCES)).toEqual({ kind: 'partial', failedAt: 1 });
    expect(batchOutcome({ batchItemFailures: [{ itemIdentifier: '100' }] }, SEQUENCES)).toEqual({ kind: 'partial', failedAt: 0 });
  });

  it('fails the whole batch when an identifier is empty, missing or names no record of it', () => {
    for (const failures of [[{ itemIdentifier: '' }], [{}], [{ itemIdentifier: '999' }, { itemIdentifier: '200' }], [null], 'all']) {
      expect(batchOutcome({ batchItemFailures: failures }, SEQUENCES).kind, JSON.stringify(failures)).toBe('error');
    }
  });
});

describe('lambdaRecord', () => {
  it('gives epoch seconds, base64 binaries (nested too) and the stream ARN as the event source', () => {
    const record: _Record = {
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-west-2',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-05-04T10:15:00Z'),
        Keys: { workset_id: { S: 'ws-1' } },
        NewImage: { workset_id: { S: 'ws-1' }, blob: { B: Uint8Array.from([1, 2, 255]) }, nested: { M: { list: { L: [{ BS: [Uint8Array.from([0])] }, { N: '7' }] } } } },
        OldImage: { workset_id: { S: 'ws-1' }, flag: { BOOL: false }, nothing: { NULL: true }, tags: { SS: ['a'] } },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    expect(lambdaRecord(record, 'arn:aws:dynamodb:us-west-2:000000000000:table/t/stream/x')).toEqual({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-west-2',
      eventSourceARN: 'arn:aws:dynamodb:us-west-2:000000000000:table/t/stream/x',
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-05-04T10:15:00Z') / 1000,
        Keys: { workset_id: { S: 'ws-1' } },
        NewImage: { workset_id: { S: 'ws-1' }, blob: { B: 'AQL/' }, nested: { M: { list: { L: [{ BS: ['AA=='] }, { N: '7' }] } } } },
        OldImage: { workset_id: { S: 'ws-1' }, flag: { BOOL: false }, nothing: { NULL: true }, tags: { SS: ['a'] } },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('carries who deleted an item that TTL removed', () => {
    const record: _Record = { eventName: 'REMOVE', dynamodb: { SequenceNumber: '1' }, userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } };
    expect(lambdaRecord(record, 'arn').userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});
