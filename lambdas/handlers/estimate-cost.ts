/** POST /api/estimate-cost — what a workset may cost, with the model's assumptions. */
import { estimateWorksetCost } from '../lib/flows/pipelines.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { EstimateCostContract } from '../lib/schemas/pipeline-requests.ts';
import { pipelineCatalogue } from '../lib/wiring/catalogue-source.ts';

export const handler = httpEntry(EstimateCostContract, async ({ body }) => json(200, estimateWorksetCost(pipelineCatalogue(), body)));
