/**
 * One synthesized stack per test file (Template.fromStack costs seconds, mostly loading
 * aws-cdk-lib). Bundling is skipped: these tests read the template, the bundle tests build bundles.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { EntryPoint } from '../../infra/entry-points.ts';
import { createApp, type WorksetApiStack } from '../../infra/stack.ts';

export interface Synthesized {
  readonly stack: WorksetApiStack;
  readonly template: Template;
  /** cdk-nag's AwsSolutions report for the whole app, acknowledgements applied. */
  readonly nag: PolicyValidationPluginReport;
}

/** The stack of `context`, with the entry-point table or the `entries` a test gives. */
export function synthesize(context: Record<string, unknown> = {}, entries?: readonly EntryPoint[]): Synthesized {
  const { app, stack } = createApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, ...(entries ? { entries } : {}) });
  const template = Template.fromStack(stack);
  const nag = new AwsSolutionsChecks(app).validateScope(app);
  return { stack, template, nag };
}

/** "ok" or the list of unacknowledged findings, readable in a failed assertion. */
export function nagFindings(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}: ${violation.description}`),
  );
}
