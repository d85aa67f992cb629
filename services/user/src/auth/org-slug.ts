/**
 * An org's canonical slug from a name or slug, as the original's `_slugify`: lowercased, every run
 * of characters other than a-z, 0-9 and `_` becomes `-`, no leading or trailing `-`. Underscores are
 * kept (payor slugs use them).
 */
export function orgSlug(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
