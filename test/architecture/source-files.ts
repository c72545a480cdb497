/** The project's source files and the imports each makes, read from disk (for the architecture tests). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/bundling.ts';

/** The folders whose files are the product (tests and fixtures are not). */
export const SOURCE_ROOTS = ['lambdas', 'infra', 'cli', 'bench', 'bin'] as const;

export interface SourceFile {
  /** Relative to the repository root, `/`-separated. */
  readonly path: string;
  readonly text: string;
  /** Every module specifier it imports (static and dynamic, type-only included). */
  readonly imports: readonly string[];
}

function walk(folder: string): string[] {
  return readdirSync(path.join(REPO_ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return walk(relative);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

export function sourceFiles(): SourceFile[] {
  return SOURCE_ROOTS.flatMap(walk).map((file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3]!);
    return { path: file, text, imports };
  });
}

/** The repository-relative path an import of `from` resolves to, or the package name for a bare specifier. */
export function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}
