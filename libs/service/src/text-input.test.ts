import { describe, expect, it } from 'vitest';
import { buildServiceApp } from './app.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { findUnstorableText } from './text-input.ts';

describe('findUnstorableText', () => {
  it('names the first field holding a NUL or a lone surrogate, at any depth, keys included', () => {
    expect(findUnstorableText({ filename: 'a\u0000b' })).toMatchObject({ field: 'filename', reason: expect.stringContaining('NUL') });
    expect(findUnstorableText({ filters: { document_payer: '\ud800' } })).toMatchObject({
      field: 'filters.document_payer',
      reason: expect.stringContaining('surrogate'),
    });
    expect(findUnstorableText({ datapoints: [{ id: 'ok' }, { id: 'x\udc00' }] })?.field).toBe('datapoints[1].id');
    expect(findUnstorableText({ 'k\u0000': 1 })?.field).toBe('a field name in body');
    expect(findUnstorableText('\u0000')?.field).toBe('body');
  });

  it('admits well-formed text, pairs, numbers and deep nesting without overflowing', () => {
    expect(findUnstorableText({ text: 'emoji \ud83d\ude00 and é', vector: [1, 2, 3], n: null })).toBeUndefined();
    let deep: unknown = 'ok';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toBeUndefined();
  });
});

describe('every service app', () => {
  it('answers 400 naming the field for a NUL in the body, the query or the path, before the handler runs', async () => {
    const app = buildServiceApp({ logger: createLogger('text-test', 'silent'), metrics: createMetrics('text-test'), readiness: [] });
    let handled = 0;
    app.post('/things/:id', async () => ({ handled: ++handled }));
    const cases = [
      { url: '/things/1', payload: { payer: 'x\u0000' }, field: 'payer' },
      { url: '/things/1?payer=%00', payload: {}, field: 'query parameter payer' },
      { url: '/things/a%00b', payload: {}, field: 'path parameter id' },
      { url: '/things/1', payload: '{"display_name":"\\ud800"}', field: 'display_name' },
    ];
    for (const { url, payload, field } of cases) {
      const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.message).toMatch(new RegExp(`^${field} contains`));
    }
    expect(handled).toBe(0);
    expect((await app.inject({ method: 'POST', url: '/things/1', payload: { payer: 'ok' } })).statusCode).toBe(200);
    await app.close();
  });
});
