/**
 * Server-generated workset ids. The id names an S3 folder and is substituted into the monitor's
 * `day-clone` arguments, which run in a shell on the cluster head node: only `[a-z0-9-]` may
 * reach it, whatever the caller typed as a name.
 */

export const SLUG_MAX_LENGTH = 30;
export const WORKSET_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,29})-[0-9a-f]{8}$/;

/** `[a-z0-9-]`, at most 30 characters, no leading/trailing/double hyphens, never empty. */
export function worksetSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents: "Séquençage" → "sequencage"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/g, '');
  return slug === '' ? 'workset' : slug;
}

/** `{slug}-{8 hex}`; `randomHex` supplies the 8 hex characters (crypto in production). */
export function newWorksetId(name: string, randomHex: string): string {
  if (!/^[0-9a-f]{8}$/.test(randomHex)) throw new Error('randomHex must be 8 lowercase hex characters');
  return `${worksetSlug(name)}-${randomHex}`;
}
