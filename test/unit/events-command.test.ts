/** `daylily-workset-api events tail`: the last lines of the local event files, then, with --follow, each new one. */
import { appendFile, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { eventsCommand } from '../../infra/local/events-command.ts';

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

const line = (workset: string, version: number, from: string | null, to: string) =>
  JSON.stringify({ version: '0', id: 'x', 'detail-type': 'Workset State Change', source: 'daylily.workset-api', detail: { workset_id: workset, version, from, to, actor: 'lab-1', reason: `to ${to}`, time: `2026-03-0${version + 1}T12:00:00.000Z`, event_id: `${workset}:${version}` } });

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'daylily-tail-'));
  scratch.push(dir);
  await mkdir(path.join(dir, 'events'));
  await writeFile(path.join(dir, 'events', '2026-03-01.jsonl'), `${line('ws-1', 0, null, 'registering')}\n`);
  await writeFile(path.join(dir, 'events', '2026-03-02.jsonl'), `${line('ws-1', 1, 'registering', 'ready')}\n${line('ws-1', 2, 'ready', 'canceled')}\n`);
  return dir;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text: string) => void out.push(text), err: (text: string) => void err.push(text) }, out, err };
}

describe('events tail', () => {
  it('prints the last lines of every day, oldest first, readably or as they are', async () => {
    const dir = await dataDir();
    const readable = capture();
    expect(await eventsCommand(['tail', '--lines', '2', '--data-dir', dir], readable.io)).toBe(0);
    expect(readable.out.join('')).toBe('2026-03-02T12:00:00.000Z  ws-1  registering -> ready  v1  lab-1  to ready\n2026-03-03T12:00:00.000Z  ws-1  ready -> canceled  v2  lab-1  to canceled\n');
    const raw = capture();
    await eventsCommand(['tail', '--json', '--lines', '1', '--data-dir', dir], raw.io);
    expect(JSON.parse(raw.out.join(''))).toMatchObject({ detail: { event_id: 'ws-1:2' } });
  });

  it('with --follow, prints each line appended later, once, and a line only once it is whole', async () => {
    const dir = await dataDir();
    const followed = capture();
    const stop = new AbortController();
    const done = eventsCommand(['tail', '--follow', '--lines', '0', '--data-dir', dir], followed.io, stop.signal);
    const appended = line('ws-2', 0, null, 'registering');
    await appendFile(path.join(dir, 'events', '2026-03-02.jsonl'), appended.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(followed.out).toEqual([]);
    await appendFile(path.join(dir, 'events', '2026-03-02.jsonl'), `${appended.slice(20)}\n`);
    await vi.waitFor(() => expect(followed.out.join('')).toContain('ws-2  - -> registering  v0'), { timeout: 5_000, interval: 100 });
    stop.abort();
    expect(await done).toBe(0);
    expect(followed.out).toHaveLength(1);
  });

  it('says where it looked when there is nothing yet, and refuses another subcommand', async () => {
    const empty = capture();
    expect(await eventsCommand(['tail', '--data-dir', path.join(tmpdir(), 'no-such-daylily-dir')], empty.io)).toBe(0);
    expect(empty.err.join('')).toMatch(/No events in .*no-such-daylily-dir\/events yet/);
    const wrong = capture();
    expect(await eventsCommand(['head'], wrong.io)).toBe(2);
    expect(wrong.err.join('')).toContain('the one subcommand is `tail`');
  });
});
