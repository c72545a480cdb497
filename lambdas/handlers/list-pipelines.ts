/** GET /api/pipelines — the pipeline catalogue: what a workset may run. */
import { listPipelines } from '../lib/flows/pipelines.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { NO_INPUT } from '../lib/schemas/contract.ts';
import { pipelineCatalogue } from '../lib/wiring/catalogue-source.ts';

export const handler = httpEntry(NO_INPUT, async () => json(200, listPipelines(pipelineCatalogue())));
