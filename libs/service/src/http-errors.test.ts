import { BusUnavailableError } from '@mobius/bus';
import { ConfigError } from '@mobius/config';
import { MobiusError } from '@mobius/contracts';
import { DatabaseUnreachableError, DbError } from '@mobius/db';
import { describe, expect, it } from 'vitest';
import { HttpError, httpProblemOf } from './http-errors.ts';

describe('httpProblemOf: every error mapped once', () => {
  it('makes ConfigError, DbError, BusError and HttpError one family', () => {
    for (const error of [
      new ConfigError('rag', 'DATABASE_URL', 'is required'),
      new DatabaseUnreachableError('database x at h:5432', 'refused'),
      new BusUnavailableError('down'),
      new HttpError(404, 'NOT_FOUND', 'no such thing'),
    ]) {
      expect(error).toBeInstanceOf(MobiusError);
      expect(error).toBeInstanceOf(Error);
    }
    const config = new ConfigError('rag', 'DATABASE_URL', 'is required');
    expect(config).toMatchObject({ code: 'CONFIG_INVALID', retryable: false, httpStatus: 500, name: 'ConfigError', variable: 'DATABASE_URL' });
    expect(new HttpError(429, 'RATE_LIMITED', 'slow down')).toMatchObject({ retryable: true, httpStatus: 429, statusCode: 429 });
  });

  it('answers a retryable backend failure 503 with its code, never its detail', () => {
    expect(httpProblemOf(new DatabaseUnreachableError('database x at db.internal:5432', 'ECONNREFUSED'))).toEqual({
      status: 503,
      code: 'DB_UNREACHABLE',
      message: expect.not.stringContaining('db.internal'),
      logged: true,
    });
    expect(httpProblemOf(new BusUnavailableError('nats down'))).toMatchObject({ status: 503, code: 'BUS_UNAVAILABLE' });
  });

  it('answers a driver error saying the database is gone 503 DB_UNREACHABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const everyAddress = new AggregateError([refused, refused], '');
    for (const error of [
      refused,
      terminated,
      everyAddress,
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(httpProblemOf(error)).toMatchObject({ status: 503, code: 'DB_UNREACHABLE' });
    }
    const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' });
    expect(httpProblemOf(syntax)).toEqual({ status: 500, code: 'INTERNAL', message: 'internal error', logged: true });
  });

  it('keeps 4xx with their code and message, and hides a non-retryable 5xx', () => {
    expect(httpProblemOf(new HttpError(404, 'DOC_NOT_FOUND', 'no document 1'))).toEqual({
      status: 404,
      code: 'DOC_NOT_FOUND',
      message: 'no document 1',
      logged: false,
    });
    expect(httpProblemOf(new MobiusError('TOO_LATE', 'the window closed', false, { httpStatus: 409 }))).toMatchObject({
      status: 409,
      code: 'TOO_LATE',
    });
    expect(httpProblemOf(new DbError('MIGRATION_FAILED', 'secret detail', false))).toEqual({
      status: 500,
      code: 'INTERNAL',
      message: 'internal error',
      logged: true,
    });
    expect(httpProblemOf(Object.assign(new Error('body too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toMatchObject({
      status: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
  });
});
