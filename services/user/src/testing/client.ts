/**
 * A small client of the user API for tests (test/user-*.test.ts): JSON requests through
 * `app.inject()`, answered as `{status, body, headers}`. It asserts nothing; the tests do.
 */
import { randomUUID } from 'node:crypto';
import type { UserTestService } from './harness.ts';

/** A JSON body as the tests read it. */
export type Json = Record<string, any>;

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as is, with `content-type: application/json` (malformed JSON). */
  raw?: string;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

export interface ApiAnswer {
  status: number;
  body: Json;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A unique, valid email address. */
export const freshEmail = (tag = 'person') => `${tag}.${randomUUID().slice(0, 12)}@example.com`;

export function userApiClient(service: UserTestService) {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: CallOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await service.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
      ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
    });
    return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
  };
  return {
    call,
    register: (body: Json, options: CallOptions = {}) => call('POST', '/api/v1/auth/register', { ...options, body }),
    login: (body: Json, options: CallOptions = {}) => call('POST', '/api/v1/auth/login', { ...options, body }),
    refresh: (refreshToken: unknown) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } }),
    logout: (options: CallOptions) => call('POST', '/api/v1/auth/logout', options),
    me: (token?: string) => call('GET', '/api/v1/auth/me', token === undefined ? {} : { token }),
    google: (body: Json, options: CallOptions = {}) => call('POST', '/api/v1/auth/google', { ...options, body }),
    onboarding: (token: string, body: Json) => call('PUT', '/api/v1/auth/onboarding', { token, body }),
    preferences: (token: string, body: Json) => call('PUT', '/api/v1/auth/preferences', { token, body }),
  };
}

export type UserApiClient = ReturnType<typeof userApiClient>;
