import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildServiceApp } from './app.ts';
import { HttpError } from './http-errors.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';

function appWith(backendUp: () => boolean) {
  const app = buildServiceApp({
    logger: createLogger('test', 'silent'),
    metrics: createMetrics('test'),
    readiness: [
      { name: 'postgres', check: async () => undefined },
      {
        name: 'nats',
        check: async () => {
          if (!backendUp()) throw new Error('connection refused');
        },
      },
    ],
    bodyLimitBytes: 64,
  });
  app.post('/boom', async () => {
    throw new Error('secret detail');
  });
  app.post('/teapot', async () => {
    throw new HttpError(418, 'TEAPOT', 'short and stout');
  });
  return app;
}

describe('service app', () => {
  it('answers /healthz while alive, and /readyz 503 naming the backend that is down', async () => {
    let up = false;
    const app = appWith(() => up);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const down = await app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json().checks).toContainEqual({ name: 'nats', ok: false, error: 'connection refused' });
    up = true;
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().ready).toBe(true);
  });

  it('exposes Prometheus metrics', async () => {
    const response = await appWith(() => true).inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('process_cpu_seconds_total');
    expect(response.body).toContain('mobius_handler_duration_seconds');
  });

  it('reports mobius_ready 0 on /metrics while a backend is down, 1 once it answers', async () => {
    let up = false;
    const app = appWith(() => up);
    expect((await app.inject('/metrics')).body).toMatch(/^mobius_ready\{service="test"\} 0$/m);
    up = true;
    expect((await app.inject('/metrics')).body).toMatch(/^mobius_ready\{service="test"\} 1$/m);
  });

  it('maps errors: coded 4xx kept, oversized body 413, internal detail hidden', async () => {
    const app = appWith(() => true);
    const teapot = await app.inject({ method: 'POST', url: '/teapot' });
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toEqual({ error: { code: 'TEAPOT', message: 'short and stout' } });
    const big = await app.inject({ method: 'POST', url: '/teapot', payload: { text: 'x'.repeat(200) } });
    expect(big.statusCode).toBe(413);
    const boom = await app.inject({ method: 'POST', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret detail');
  });

  it("logs the probes' request lines at debug, every other route's at info", async () => {
    const lines: { message: string; severity: string; req?: { url: string }; res?: { statusCode: number } }[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const requestLines = async (level: 'info' | 'debug') => {
      lines.length = 0;
      const app = buildServiceApp({ logger: createLogger('test', level, destination), metrics: createMetrics('test'), readiness: [] });
      app.get('/hello', async () => ({ hello: 'world' }));
      for (const url of ['/healthz', '/readyz', '/metrics', '/healthz?x=1', '/hello']) await app.inject(url);
      await app.close();
      return lines.filter((line) => line.message === 'incoming request').map((line) => `${line.severity} ${line.req?.url}`);
    };
    expect(await requestLines('info')).toEqual(['INFO /hello']);
    expect(await requestLines('debug')).toEqual(['DEBUG /healthz', 'DEBUG /readyz', 'DEBUG /metrics', 'DEBUG /healthz?x=1', 'INFO /hello']);
    expect(lines.filter((line) => line.message === 'request completed').map((line) => line.severity)).toEqual([
      'DEBUG',
      'DEBUG',
      'DEBUG',
      'DEBUG',
      'INFO',
    ]);
  });
});
