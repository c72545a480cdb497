/**
 * What each HTTP handler reads is exactly what its entry documents: the handler is built from the
 * very contract object the entry-point table (and so the OpenAPI document) names, it never touches
 * the event itself, and, run on its sample event's input, it reads every documented path
 * parameter, query parameter, header and body field — and nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { GenericSchema } from 'valibot';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { HTTP_ENTRIES, type HttpEntry } from '../../infra/entry-points.ts';
import { sampleEventFile } from '../../infra/invoke-bundle.ts';
import type { HttpEntryHandler } from '../../lambdas/lib/http/http-entry.ts';
import { resolveInput } from '../../lambdas/lib/http/request-input.ts';
import type { RequestContract } from '../../lambdas/lib/schemas/contract.ts';
import { useLocalAws } from '../support/local-aws.ts';

useLocalAws('entry-contracts');

type Part = 'path' | 'query' | 'headers' | 'body';

/** The field names an object schema (possibly inside a pipe or an optional) declares. */
function objectKeys(schema: GenericSchema | undefined): string[] {
  const node = schema as { type?: string; entries?: Record<string, unknown>; pipe?: GenericSchema[]; wrapped?: GenericSchema } | undefined;
  if (!node) return [];
  if (node.entries) return Object.keys(node.entries);
  if (node.pipe) return objectKeys(node.pipe[0]);
  if (node.wrapped) return objectKeys(node.wrapped);
  throw new Error(`not an object schema: ${node.type}`);
}

function documented(contract: RequestContract): Record<Part, string[]> {
  return {
    path: Object.keys(contract.path ?? {}),
    query: objectKeys(contract.query),
    headers: Object.keys(contract.headers ?? {}),
    body: objectKeys(contract.body?.schema),
  };
}

/** `value` with every documented key present (undefined where the sample has none), recording reads. */
function recording(value: Record<string, unknown> | undefined, keys: readonly string[], reads: Set<string>): Record<string, unknown> {
  const target: Record<string, unknown> = Object.fromEntries(keys.map((key) => [key, undefined]));
  Object.assign(target, value);
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'string' && key !== 'then' && key !== 'toJSON') reads.add(key);
      return Reflect.get(object, key, receiver);
    },
    has(object, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.has(object, key);
    },
  });
}

const context = { awsRequestId: 'entry-contracts', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function handlerOf(entry: HttpEntry): Promise<HttpEntryHandler<RequestContract>> {
  const module = (await import(/* @vite-ignore */ path.join(REPO_ROOT, entry.handler))) as { handler: HttpEntryHandler<RequestContract> };
  return module.handler;
}

const cases = HTTP_ENTRIES.map((entry) => [entry.id, entry] as const);

describe('HTTP handlers and their documented contracts', () => {
  it.each(cases)('%s: the handler is built from the contract its entry documents', async (_id, entry) => {
    const handler = await handlerOf(entry);
    expect(handler.contract).toBe(entry.contract.request);
    expect(typeof handler.run).toBe('function');
  });

  it.each(cases)('%s: the handler module never reads the event itself', (_id, entry) => {
    const source = readFileSync(path.join(REPO_ROOT, entry.handler), 'utf8');
    expect(source).not.toMatch(/\bevent\b|pathParameters|queryStringParameters|requestContext/);
  });

  it.each(cases)('%s: run on its sample input, it reads every documented field and no other', async (_id, entry) => {
    const handler = await handlerOf(entry);
    const event = JSON.parse(readFileSync(sampleEventFile(entry), 'utf8')) as APIGatewayProxyEventV2;
    const input = resolveInput(entry.contract.request, event);
    const expected = documented(entry.contract.request);
    const reads: Record<Part, Set<string>> = { path: new Set(), query: new Set(), headers: new Set(), body: new Set() };
    const tracked = {
      path: recording(input.path as Record<string, unknown>, expected.path, reads.path),
      query: recording(input.query as Record<string, unknown>, expected.query, reads.query),
      headers: recording(input.headers as Record<string, unknown>, expected.headers, reads.headers),
      body: recording(input.body as Record<string, unknown> | undefined, expected.body, reads.body),
      principal: { kind: 'anonymous' as const },
    };
    // What the flow then does with the (empty) tables does not matter here: only what was read.
    await handler.run(tracked as never, context).catch(() => undefined);
    for (const part of ['path', 'query', 'headers', 'body'] as const) {
      expect([...reads[part]].sort(), `${entry.id} ${part}`).toEqual([...expected[part]].sort());
    }
  });
});
