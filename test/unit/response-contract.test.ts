/**
 * The response-contract check every `call()` applies (test/support/response-contract.ts) must be
 * able to fail: these answers break the contract in each way it looks for.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { HttpEntry } from '../../infra/entry-points.ts';
import { contractViolations, undocumentedFields } from '../support/response-contract.ts';

const Thing = v.object({
  id: v.string(),
  tags: v.array(v.object({ name: v.string() })),
  meta: v.nullable(v.object({ size: v.number() })),
  extra: v.optional(v.string()),
});

const route: HttpEntry = {
  id: 'Probe',
  trigger: { kind: 'http', method: 'POST', path: '/things/{id}', auth: 'iam' },
  handler: 'lambdas/handlers/probe.ts',
  access: {},
  summary: 'probe',
  contract: { request: { body: { schema: v.object({}), required: true } }, responses: { 200: { description: 'the thing', schema: Thing }, 204: { description: 'nothing' } } },
};

const json = (status: number, body: unknown, contentType = 'application/json') => ({
  status,
  headers: { 'content-type': contentType },
  text: body === undefined ? '' : JSON.stringify(body),
  json: body,
});

const good = { id: 'a', tags: [{ name: 't' }], meta: null };

describe('undocumentedFields', () => {
  it('finds fields the schema does not name, at any depth, through arrays, nullables and unions', () => {
    expect(undocumentedFields(Thing, good)).toEqual([]);
    const leaky = { ...good, secret: 1, tags: [{ name: 't', colour: 'red' }], meta: { size: 1, owner: 'x' } };
    expect(undocumentedFields(Thing, leaky).sort()).toEqual(['$.meta.owner', '$.secret', '$.tags[0].colour']);
    const either = v.union([v.object({ kind: v.literal('a'), a: v.string() }), v.object({ kind: v.literal('b'), b: v.number() })]);
    expect(undocumentedFields(either, { kind: 'b', b: 1, c: 2 })).toEqual(['$.c']);
  });
});

describe('contractViolations', () => {
  it('accepts a documented answer and a complete problem with a documented status', () => {
    expect(contractViolations(route, json(200, good))).toEqual([]);
    expect(contractViolations(route, json(204, undefined))).toEqual([]);
    const problem = { type: 'https://x/problems/conflict', title: 'Conflict', status: 409, detail: 'no' };
    expect(contractViolations(route, json(409, problem, 'application/problem+json'))).toEqual([]);
  });

  it('refuses a body that does not parse, an undocumented field, the wrong content type and a body where none is documented', () => {
    expect(contractViolations(route, json(200, { ...good, id: 7 }))).toEqual([expect.stringContaining('id')]);
    expect(contractViolations(route, json(200, { ...good, leaked: true }))).toEqual(['Probe answered 200: $.leaked is not in the documented schema']);
    expect(contractViolations(route, json(200, good, 'text/plain'))).toEqual([expect.stringContaining('text/plain')]);
    expect(contractViolations(route, json(204, good))).toEqual([expect.stringContaining('documents none')]);
  });

  it('refuses an undocumented status and an error that is not a complete problem', () => {
    expect(contractViolations(route, json(201, good))).toEqual([expect.stringContaining('does not document')]);
    expect(contractViolations(route, json(422, { detail: 'x' }, 'application/problem+json'))).toEqual([expect.stringContaining('does not document')]);
    expect(contractViolations(route, json(409, { detail: 'x' }))).toEqual([expect.stringContaining('problem+json')]);
    const wrongStatus = { type: 't', title: 'Conflict', status: 400, detail: 'no' };
    expect(contractViolations(route, json(409, wrongStatus, 'application/problem+json'))).toEqual([expect.stringContaining('problem+json')]);
  });
});
