/**
 * The local mailer: each message written as one file (`.eml`, RFC 5322 headers and a plain-text
 * body) in a directory, instead of being sent. Nothing leaves the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmailMessage } from '../../domain/state-change-event.ts';
import type { Mailer } from '../../ports/state-change-delivery.ts';

/** What a file name may carry of the message's reference. */
const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);

export function fileMailer(directory: string, now: () => Date = () => new Date()): Mailer {
  return {
    async send(message: EmailMessage) {
      await mkdir(directory, { recursive: true });
      const at = now();
      const id = `${at.toISOString().replace(/[:.]/g, '')}-${safe(message.reference)}-${randomBytes(3).toString('hex')}`;
      const text = [
        `From: ${message.from}`,
        `To: ${message.to}`,
        `Subject: ${message.subject}`,
        `Date: ${at.toUTCString()}`,
        `Message-ID: <${id}@daylily-workset-api.local>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        message.text,
      ].join('\r\n');
      // `wx`: a name is never reused, so no message overwrites another.
      await writeFile(path.join(directory, `${id}.eml`), text, { flag: 'wx' });
      return { messageId: id };
    },
  };
}
