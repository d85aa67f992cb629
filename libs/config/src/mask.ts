/** Placeholder printed instead of a password. */
export const MASK = '***';

/**
 * Returns `url` with its password replaced by `***`, safe for logs and errors. A string that is not a
 * URL is returned with anything that looks like `:password@` masked, so a malformed URL cannot leak.
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    const params = parsed.searchParams;
    if (params.has('password')) params.set('password', MASK);
    return parsed.toString().replace(encodeURIComponent(MASK), MASK);
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, `$1${MASK}@`).replace(/([?&]password=)[^&]*/g, `$1${MASK}`);
  }
}

/** Masks every postgres URL inside a free text, for error messages that quote a driver's words. */
export function maskUrlsIn(text: string): string {
  return text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/g, (url) => maskUrl(url));
}
