import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/** Random bytes in a generated secret: 256 bits, as HS256 wants at least. */
const SECRET_BYTES = 32;

/**
 * The secret kept in `path`, generating it (base64url, mode 0600) when the file does not exist yet.
 * `created` says whether this call generated it. A file that exists but is empty is an error, not
 * silently replaced: tokens or a cluster may depend on the old value.
 */
export async function readOrCreateSecret(path: string): Promise<{ value: string; created: boolean }> {
  const value = randomBytes(SECRET_BYTES).toString('base64url');
  try {
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = (await readFile(path, 'utf8')).trim();
  if (existing === '') throw new Error(`${path} is empty; delete it to generate a new secret`);
  return { value: existing, created: false };
}

/** The secret in `path`, or undefined when there is no such file. */
export async function readSecret(path: string): Promise<string | undefined> {
  try {
    const value = (await readFile(path, 'utf8')).trim();
    return value === '' ? undefined : value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
