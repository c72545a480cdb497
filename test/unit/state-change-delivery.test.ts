/**
 * The pieces of the stream consumer without an emulator: the event's detail and email from a
 * history entry, the outbox's reading of stream records, the EventBridge and SES adapters on a
 * stubbed client (their requests and how they read the answers), and the local file adapters.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDeliverySettings } from '../../lambdas/lib/config/delivery-settings.ts';
import { notificationEmail, notificationKind, stateChangeDetail, type StateChangeDetail } from '../../lambdas/lib/domain/state-change-event.ts';
import { MessageNotSent } from '../../lambdas/lib/ports/state-change-delivery.ts';
import { readOutboxRecord } from '../../lambdas/lib/stores/dynamodb/outbox.ts';
import { eventBridgeBus } from '../../lambdas/lib/stores/eventbridge/eventbridge-bus.ts';
import { fileEventBus } from '../../lambdas/lib/stores/files/file-event-bus.ts';
import { fileMailer } from '../../lambdas/lib/stores/files/file-mailer.ts';
import { sesMailer } from '../../lambdas/lib/stores/ses/ses-mailer.ts';

const detail = (version: number, to: StateChangeDetail['to'] = 'complete'): StateChangeDetail =>
  stateChangeDetail({ worksetId: 'trio-7-1a2b3c4d', customerId: 'lab-1', version, entry: { from: 'in_progress', to, reason: 'done', actor: 'worker-7', at: `2026-03-01T12:00:0${version % 10}.123Z` } });

/** A client whose requests go nowhere: `answer` gets each command's input and returns its output (or throws). */
function stubbed<T extends { middlewareStack: { add: Function } }>(client: T, answer: (input: any) => unknown): { client: T; inputs: any[] } {
  const inputs: any[] = [];
  client.middlewareStack.add(() => async (args: { input: unknown }) => {
    inputs.push(args.input);
    return { output: await answer(args.input), response: {} };
  }, { step: 'initialize', name: 'stub' });
  return { client, inputs };
}

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('the delivery settings', () => {
  it('publish to the bus before a directory, and say why nothing is published without either', () => {
    expect(resolveDeliverySettings({ DAYLILY_EVENT_BUS: 'bus', DAYLILY_EVENTS_DIR: '/e' }).events).toEqual({ kind: 'bus', busName: 'bus' });
    expect(resolveDeliverySettings({ DAYLILY_EVENTS_DIR: '/e' }).events).toEqual({ kind: 'directory', directory: '/e' });
    expect(resolveDeliverySettings({}).events).toEqual({ kind: 'off', reason: expect.stringContaining('DAYLILY_EVENT_BUS') });
  });

  it('mail through SES from the sender, or into a directory, and are off without one, or with one that is no plain address (a warning)', () => {
    expect(resolveDeliverySettings({ DAYLILY_NOTIFICATION_SENDER: 'noreply@lab.example' })).toMatchObject({ notifications: { kind: 'ses', sender: 'noreply@lab.example' }, warnings: [] });
    expect(resolveDeliverySettings({ DAYLILY_NOTIFICATION_SENDER: 'noreply@lab.example', DAYLILY_MAIL_DIR: '/m' }).notifications).toEqual({ kind: 'directory', sender: 'noreply@lab.example', directory: '/m' });
    expect(resolveDeliverySettings({}).notifications).toEqual({ kind: 'off', reason: expect.stringContaining('DAYLILY_NOTIFICATION_SENDER') });
    const invalid = resolveDeliverySettings({ DAYLILY_NOTIFICATION_SENDER: 'Lab <noreply@lab.example>' });
    expect(invalid.notifications.kind).toBe('off');
    expect(invalid.warnings).toEqual([expect.stringMatching(/DAYLILY_NOTIFICATION_SENDER="Lab <noreply@lab.example>" is not a plain email address/)]);
  });
});

describe('the event detail and its email', () => {
  it('carries the history entry with the workset, customer, version and a stable id', () => {
    expect(stateChangeDetail({ worksetId: 'ws-1', customerId: 'lab-1', version: 0, entry: { from: null, to: 'registering', reason: 'Registration started', actor: 'lab-1', at: 'T0', error_category: 'data' } })).toEqual({
      schema_version: 1,
      event_id: 'ws-1:0',
      workset_id: 'ws-1',
      customer_id: 'lab-1',
      from: null,
      to: 'registering',
      reason: 'Registration started',
      actor: 'lab-1',
      time: 'T0',
      version: 0,
      error_category: 'data',
    });
  });

  it('mails completion, failure (error and failed) and cancellation, nothing else', () => {
    expect(['complete', 'error', 'failed', 'canceled', 'ready', 'retrying', 'in_progress', 'archived', 'deleted'].map((state) => notificationKind(state as never))).toEqual([
      'completed', 'failed', 'failed', 'canceled', undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('keeps the subject one header-safe line, whatever the name holds, and needs an address', () => {
    const record = { workset_name: 'trio\r\nBcc: everyone@x.test', notification_email: ' pi@lab.test ', error_details: 'bad\nFASTQ' };
    const email = notificationEmail(detail(3, 'failed'), record, 'daylily@lab.test')!;
    expect(email).toMatchObject({ from: 'daylily@lab.test', to: 'pi@lab.test', subject: 'Daylily workset "trio Bcc: everyone@x.test" failed', reference: 'trio-7-1a2b3c4d:3' });
    expect(email.text).toContain('Error: bad FASTQ');
    expect(notificationEmail(detail(3), { ...record, notification_email: undefined }, 'daylily@lab.test')).toBeUndefined();
    expect(notificationEmail(detail(3), undefined, 'daylily@lab.test')).toBeUndefined();
    expect(notificationEmail(detail(3, 'ready'), record, 'daylily@lab.test')).toBeUndefined();
  });
});

describe('the outbox', () => {
  const record = (eventName: string, key: string, image?: Record<string, unknown>): DynamoDBRecord => ({
    eventName: eventName as DynamoDBRecord['eventName'],
    dynamodb: { SequenceNumber: '42', Keys: { workset_id: { S: key } }, ...(image ? { NewImage: image as never } : {}) },
  });
  const history = { history_of: { S: 'ws-1' }, entry_id: { S: '0000000002' }, customer_id: { S: 'lab-1' }, version: { N: '2' }, from: { NULL: true }, to: { S: 'canceled' }, reason: { S: 'r' }, actor: { S: 'a' }, at: { S: 'T' } };

  it('reads a new history item as its change, and everything else as nothing to publish', () => {
    expect(readOutboxRecord(record('INSERT', 'ws-1#history#0000000002', history))).toEqual({ id: '42', detail: expect.objectContaining({ event_id: 'ws-1:2', from: null, to: 'canceled', customer_id: 'lab-1' }) });
    expect(readOutboxRecord(record('MODIFY', 'ws-1#history#0000000002', history))).toEqual({ id: '42' });
    expect(readOutboxRecord(record('MODIFY', 'ws-1', { state: { S: 'canceled' } }))).toEqual({ id: '42' });
    expect(readOutboxRecord(record('INSERT', '#queue-stats#03', {}))).toEqual({ id: '42' });
  });

  it('says why a history item without what its event needs is not published', () => {
    const { customer_id: _customer, ...older } = history;
    expect(readOutboxRecord(record('INSERT', 'ws-1#history#0000000002', older))).toEqual({ id: '42', problem: expect.stringContaining('customer_id') });
  });
});

describe('the EventBridge bus', () => {
  it('puts ten entries a request on the named bus, with the source, detail type and the change\'s time, and answers each entry', async () => {
    const { client, inputs } = stubbed(new EventBridgeClient({ region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), (input: PutEventsCommandInput) => ({
      Entries: input.Entries!.map((entry, index) => (JSON.parse(entry.Detail!).version === 4 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e-${index}` })),
    }));
    const details = Array.from({ length: 12 }, (_, version) => detail(version));
    const results = await eventBridgeBus(client, 'worksets-bus').publish(details);

    expect(inputs.map((input) => input.Entries.length)).toEqual([10, 2]);
    expect(inputs[0].Entries[0]).toEqual({ EventBusName: 'worksets-bus', Source: 'daylily.workset-api', DetailType: 'Workset State Change', Detail: JSON.stringify(details[0]), Time: new Date(details[0]!.time) });
    expect(results.map((result) => result.ok)).toEqual(details.map((change) => change.version !== 4));
    expect(results[4]).toEqual({ ok: false, error: 'ThrottlingException: slow down' });
  });
});

describe('the SES mailer', () => {
  const message = { from: 'daylily@lab.test', to: 'pi@lab.test', subject: 'S', text: 'T', reference: 'ws-1:3' };
  const failure = (status: number | undefined) => Object.assign(new Error('refused'), { name: 'SomeError', ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

  it('sends one message from the sender to the address, as plain UTF-8 text', async () => {
    const { client, inputs } = stubbed(new SESv2Client({ region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), () => ({ MessageId: 'm-1' }));
    expect(await sesMailer(client).send(message)).toEqual({ messageId: 'm-1' });
    expect(inputs).toEqual([
      {
        FromEmailAddress: 'daylily@lab.test',
        Destination: { ToAddresses: ['pi@lab.test'] },
        Content: { Simple: { Subject: { Data: 'S', Charset: 'UTF-8' }, Body: { Text: { Data: 'T', Charset: 'UTF-8' } } } },
      } satisfies SendEmailCommandInput,
    ]);
  });

  it('reads a refusal SES answered (4xx) as not sent, and anything else as unknown', async () => {
    for (const [status, notSent] of [[400, true], [429, true], [500, false], [undefined, false]] as const) {
      const { client } = stubbed(new SESv2Client({ region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), () => {
        throw failure(status);
      });
      const error = await sesMailer(client).send(message).catch((caught: unknown) => caught);
      expect(error instanceof MessageNotSent, String(status)).toBe(notSent);
    }
  });
});

describe('the local file adapters', () => {
  it('append events as EventBridge-shaped JSON lines, a file per day of the change', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'daylily-bus-'));
    scratch.push(directory);
    const bus = fileEventBus(path.join(directory, 'events'), 'us-west-2');
    const late = stateChangeDetail({ worksetId: 'ws-2', customerId: 'lab-1', version: 1, entry: { from: 'registering', to: 'ready', reason: 'r', actor: 'a', at: '2026-03-02T00:00:01.000Z' } });
    expect(await bus.publish([detail(1), detail(2), late])).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await readdir(path.join(directory, 'events'))).toEqual(['2026-03-01.jsonl', '2026-03-02.jsonl']);
    const lines = (await readFile(path.join(directory, 'events', '2026-03-01.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([1, 2].map((version) => ({ version: '0', id: expect.any(String), 'detail-type': 'Workset State Change', source: 'daylily.workset-api', account: '000000000000', time: `2026-03-01T12:00:0${version}Z`, region: 'us-west-2', resources: [], detail: detail(version) })));
  });

  it('write each message to a file of its own, never over another', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'daylily-mail-'));
    scratch.push(directory);
    const mailer = fileMailer(directory, () => new Date('2026-03-01T12:00:00.000Z'));
    const message = { from: 'daylily@lab.test', to: 'pi@lab.test', subject: 'Daylily workset "x" completed', text: 'Body\n', reference: 'ws-1:3' };
    const first = await mailer.send(message);
    const second = await mailer.send(message);
    expect(first.messageId).not.toBe(second.messageId);
    const files = await readdir(directory);
    expect(files).toHaveLength(2);
    const text = await readFile(path.join(directory, files[0]!), 'utf8');
    expect(text).toMatch(/^From: daylily@lab.test\r\nTo: pi@lab.test\r\nSubject: Daylily workset "x" completed\r\nDate: Sun, 01 Mar 2026 12:00:00 GMT\r\nMessage-ID: <.+>\r\nMIME-Version: 1.0\r\nContent-Type: text\/plain; charset=utf-8\r\n\r\nBody\n$/);
    expect(files[0]).toContain('ws-1_3');
  });
});
