import { describe, expect, it } from 'vitest';
import { newWorksetId, WORKSET_ID_PATTERN, worksetSlug } from '../../lambdas/lib/domain/workset-id.ts';

describe('workset ids', () => {
  it.each([
    ['test-workset', 'test-workset'],
    ['My Run  #42', 'my-run-42'],
    ['Séquençage Été', 'sequencage-ete'],
    ['a; rm -rf / $(x) ../..', 'a-rm-rf-x'],
    ['"quoted"\nnew line\'s', 'quoted-new-line-s'],
    ['---', 'workset'],
    ['', 'workset'],
    ['日本語', 'workset'],
  ])('slugs %j as %j', (name, slug) => {
    expect(worksetSlug(name)).toBe(slug);
  });

  it('caps the slug at 30 characters without a trailing hyphen', () => {
    const slug = worksetSlug('abcdefghij abcdefghij abcdefgh-xyz');
    expect(slug.length).toBeLessThanOrEqual(30);
    expect(slug).not.toMatch(/-$/);
  });

  it('appends the 8 hex characters and matches the id pattern', () => {
    const id = newWorksetId('a; rm -rf / $(x) ../..', '0a1b2c3d');
    expect(id).toBe('a-rm-rf-x-0a1b2c3d');
    expect(id).toMatch(WORKSET_ID_PATTERN);
    expect(id).toMatch(/^[a-z0-9-]+$/);
  });

  it('refuses a suffix that is not 8 hex characters', () => {
    expect(() => newWorksetId('x', 'XYZ')).toThrow();
  });
});
