/** The wiring of the registration dry run: the catalogue, where control folders go, a clock and ids, and the staged sheets (read only). No table. */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import type { PreviewDeps } from '../flows/deps.ts';
import { pipelineCatalogue } from './catalogue-source.ts';
import { stagedSheetDeps } from './sheet-upload-store.ts';

export function previewDeps(): PreviewDeps {
  return {
    ...stagedSheetDeps(),
    catalogue: pipelineCatalogue(),
    controlLocation: currentCoreSettings().controlBucket,
    now: () => new Date(),
    randomHex: () => randomBytes(4).toString('hex'),
  };
}
