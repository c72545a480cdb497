/**
 * Data flows one way: entry → handler → flow → domain → stores, with ports between flows and
 * stores, wiring where a function's dependencies are built. These are the directions no import may
 * take; a violation names the file and the import.
 */
import { describe, expect, it } from 'vitest';
import { resolveImport, sourceFiles } from './source-files.ts';

interface Rule {
  readonly why: string;
  /** Files the rule applies to (repository-relative prefix). */
  readonly from: string;
  /** Imports they may not make: repository-relative prefixes, or package names. */
  readonly forbidden: readonly string[];
}

const RULES: readonly Rule[] = [
  { why: 'the functions never load the stack, the local server or the scripts', from: 'lambdas/', forbidden: ['infra/', 'bench/', 'bin/', 'cli/', 'test/'] },
  {
    why: 'the lab CLI speaks HTTP only: the route table and pure domain values, never a handler, flow, store, the stack or the local server',
    from: 'cli/',
    forbidden: ['lambdas/handlers/', 'lambdas/lib/flows/', 'lambdas/lib/stores/', 'lambdas/lib/wiring/', 'lambdas/lib/http/', 'infra/local/', 'infra/stack.ts', 'infra/app.ts', '@aws-sdk/client-', '@aws-sdk/lib-', 'aws-cdk-lib'],
  },
  { why: 'the domain is pure: no stores, no ports, no SDK, no HTTP', from: 'lambdas/lib/domain/', forbidden: ['lambdas/lib/stores/', 'lambdas/lib/ports/', 'lambdas/lib/wiring/', 'lambdas/lib/flows/', 'lambdas/lib/http/', 'lambdas/lib/schemas/', '@aws-sdk/', 'aws-lambda', '@middy/'] },
  { why: 'flows know ports only, never an adapter or its wiring, and nothing of HTTP', from: 'lambdas/lib/flows/', forbidden: ['lambdas/lib/stores/', 'lambdas/lib/wiring/', 'lambdas/lib/http/', 'lambdas/handlers/', '@aws-sdk/', 'aws-lambda', '@middy/'] },
  { why: 'schemas describe requests and answers; they do not reach into the protocols', from: 'lambdas/lib/schemas/', forbidden: ['lambdas/lib/flows/', 'lambdas/lib/stores/', 'lambdas/lib/wiring/', 'lambdas/lib/http/', '@aws-sdk/'] },
  { why: 'HTTP plumbing sees domain errors, not stores (adapters translate SDK errors)', from: 'lambdas/lib/http/', forbidden: ['lambdas/lib/stores/', 'lambdas/lib/wiring/', 'lambdas/lib/flows/', '@aws-sdk/'] },
  { why: 'ports are types the flows depend on; they depend on no implementation', from: 'lambdas/lib/ports/', forbidden: ['lambdas/lib/stores/', 'lambdas/lib/wiring/', 'lambdas/lib/flows/', 'lambdas/lib/http/', '@aws-sdk/'] },
  { why: 'stores implement ports; they know nothing of flows, HTTP or wiring', from: 'lambdas/lib/stores/', forbidden: ['lambdas/lib/flows/', 'lambdas/lib/http/', 'lambdas/lib/wiring/', 'lambdas/handlers/'] },
  { why: 'handlers are thin: a contract, a flow, an answer; the SDK stays behind the wiring', from: 'lambdas/handlers/', forbidden: ['lambdas/lib/stores/', '@aws-sdk/'] },
];

const matches = (target: string, prefix: string): boolean => target === prefix.replace(/\/$/, '') || target.startsWith(prefix);

describe('import directions', () => {
  const files = sourceFiles();

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.find((file) => file.path === 'lambdas/handlers/create-workset.ts')?.imports).toContain('../lib/flows/registration/staged-sheet.ts');
  });

  it.each(RULES.map((rule) => [rule.from, rule] as const))('%s: %s', (_from, rule) => {
    const violations = files
      .filter((file) => file.path.startsWith(rule.from))
      .flatMap((file) =>
        file.imports
          .filter((specifier) => rule.forbidden.some((prefix) => matches(resolveImport(file.path, specifier), prefix)))
          .map((specifier) => `${file.path} imports ${specifier}`),
      );
    expect(violations, rule.why).toEqual([]);
  });

  it('applies each rule to files that exist', () => {
    for (const rule of RULES) expect(files.some((file) => file.path.startsWith(rule.from)), rule.from).toBe(true);
  });
});
