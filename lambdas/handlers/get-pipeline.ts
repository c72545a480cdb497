/** GET /api/pipelines/{pipeline_id} — one pipeline, by id or alias. */
import { getPipeline } from '../lib/flows/pipelines.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { GetPipelineContract } from '../lib/schemas/pipeline-requests.ts';
import { pipelineCatalogue } from '../lib/wiring/catalogue-source.ts';

export const handler = httpEntry(GetPipelineContract, async ({ path }) => json(200, getPipeline(pipelineCatalogue(), path.pipeline_id)));
