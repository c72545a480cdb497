/** One name, one file: a file name says what the module is, so no two source files share one. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.ts';

describe('source file names', () => {
  it('are unique across lambdas/, infra/, cli/, bench/ and bin/', () => {
    const byName = new Map<string, string[]>();
    for (const file of sourceFiles()) {
      const name = path.posix.basename(file.path);
      byName.set(name, [...(byName.get(name) ?? []), file.path]);
    }
    const shared = [...byName.entries()].filter(([, paths]) => paths.length > 1).map(([name, paths]) => `${name}: ${paths.join(', ')}`);
    expect(byName.size).toBeGreaterThan(50);
    expect(shared).toEqual([]);
  });
});
