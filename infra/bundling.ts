/**
 * How a route's handler becomes a Lambda bundle. One description, read by the stack (through
 * `NodejsFunction`'s bundling options), by the bundle tests, by `npm run bundle-report` and by
 * `infra/invoke-bundle.ts`, so what is measured and tested locally is what gets deployed.
 * Plain data plus an esbuild translation: no CDK import, so the scripts load fast.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import type { EntryPoint } from './entry-points.ts';

/** The repository root: entry handlers (`EntryPoint.handler`) and the lock file are relative to it. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Absolute path of the module a route's function is built from (the local server loads the same). */
export function handlerPath(route: EntryPoint): string {
  return path.join(REPO_ROOT, route.handler);
}

/** Node major of the Lambda runtime (`NODEJS_24_X`); esbuild targets it. */
export const LAMBDA_NODE_MAJOR = 24;

export const LAMBDA_BUNDLE = {
  platform: 'node',
  format: 'esm',
  target: `node${LAMBDA_NODE_MAJOR}`,
  // Packages such as the AWS SDK publish an ESM build under `module`; preferring it lets esbuild
  // tree-shake the SDK instead of pulling in its CommonJS build whole.
  mainFields: ['module', 'main'],
  // CommonJS code inside an ESM bundle still calls `require('node:https')` and friends; without a
  // real `require` in scope esbuild's shim throws "Dynamic require of ... is not supported".
  // Single quotes only: CDK passes the banner to the esbuild CLI as one argument.
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings, not the original sources; leaving them out halves the .map.
  sourcesContent: false,
  // The SDK is bundled (not taken from the runtime): a pinned, tested version and a smaller,
  // tree-shaken cold start.
  external: [] as string[],
  /** File name CDK gives an ESM bundle; the scripts use the same so a bundle looks alike everywhere. */
  outfile: 'index.mjs',
} as const;

/** `NODE_OPTIONS` every function runs with: stack traces point into the TypeScript sources. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** esbuild options that build `entry` exactly as the stack bundles it, into `outdir/index.mjs`. */
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile: `${outdir}/${LAMBDA_BUNDLE.outfile}`,
    bundle: true,
    platform: LAMBDA_BUNDLE.platform,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    external: [...LAMBDA_BUNDLE.external],
    logLevel: 'warning',
    metafile: true,
  };
}

export interface BuiltBundle {
  /** The bundle (`outdir/index.mjs`); its source map sits next to it. */
  readonly file: string;
  /** Size of the bundle alone, as Lambda loads it (the .map is read only for a stack trace). */
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** Builds `entry` (absolute path, or esbuild stdin options) the way the stack does. */
export async function buildLambdaBundle(entry: string | NonNullable<BuildOptions['stdin']>, outdir: string): Promise<BuiltBundle> {
  const options = lambdaBuildOptions(typeof entry === 'string' ? entry : '<stdin>', outdir);
  const result = await build(typeof entry === 'string' ? options : { ...options, entryPoints: undefined, stdin: entry });
  const file = path.join(outdir, LAMBDA_BUNDLE.outfile);
  return { file, bytes: (await stat(file)).size, metafile: result.metafile ?? { inputs: {}, outputs: {} } };
}
