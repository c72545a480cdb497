/** Sample sheets for the lab CLI's tests: their text, as a file, or as a pipe delivers it. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A minimal sheet (`sample_id r1 r2`) of `count` samples, S000001…, whose FASTQs lie under `run`. */
export function sampleSheet(count: number, run: string, fastq = (id: string, read: 1 | 2) => `${id}_R${read}.fastq.gz`): string {
  const lines = ['sample_id\tr1\tr2'];
  for (let i = 1; i <= count; i++) {
    const id = `S${String(i).padStart(6, '0')}`;
    lines.push(`${id}\t${run}/${fastq(id, 1)}\t${run}/${fastq(id, 2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `text` as `name` in `dir`; answers its path. */
export async function sheetFile(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A stdin that delivers `text` in chunks of `size` bytes, as a pipe does. */
export function piped(text: string, size = 4096): () => AsyncIterable<Uint8Array> {
  return async function* () {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  };
}
