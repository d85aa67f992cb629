import { createHmac } from 'node:crypto';

/**
 * Hand-made compact JWS for tests, written independently of the code under test: any header (`alg:
 * none`, HS512, extra fields), any payload, signed with HMAC-SHA256/512 or not at all.
 */
const part = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export interface ForgeOptions {
  header?: Record<string, unknown>;
  /** The HMAC key; omitted = an unsigned token (empty signature part). */
  secret?: string;
  /** The HMAC hash (default sha256, as HS256). */
  hash?: 'sha256' | 'sha512';
}

/** `header.payload.signature` for `payload`; the header defaults to `{alg: 'HS256', typ: 'JWT'}`. */
export function forgeToken(payload: unknown, options: ForgeOptions = {}): string {
  const input = `${part(options.header ?? { alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  if (options.secret === undefined) return `${input}.`;
  const signature = createHmac(options.hash ?? 'sha256', options.secret)
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decodeToken(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const decode = (value: string | undefined) => JSON.parse(Buffer.from(value ?? '', 'base64url').toString('utf8'));
  return { header: decode(header), payload: decode(payload) };
}

/** The same token with its payload replaced (signature kept): what a tamperer sends. */
export function withPayload(token: string, payload: unknown): string {
  const [header, , signature] = token.split('.');
  return `${header}.${part(payload)}.${signature}`;
}

/** Seconds since the epoch, as `exp` holds it. */
export const epochSeconds = (ms: number = Date.now()) => Math.floor(ms / 1000);
