/** The wiring of the registration dry run: the catalogue, where control folders go, a clock and ids. No store. */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import type { PreviewDeps } from '../flows/deps.ts';
import { pipelineCatalogue } from './catalogue-source.ts';

export function previewDeps(): PreviewDeps {
  return {
    catalogue: pipelineCatalogue(),
    controlLocation: currentCoreSettings().controlBucket,
    now: () => new Date(),
    randomHex: () => randomBytes(4).toString('hex'),
  };
}
