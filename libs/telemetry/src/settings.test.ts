import { describe, expect, it } from 'vitest';
import { TelemetryConfigError, telemetrySettings } from './settings.ts';

describe('telemetrySettings', () => {
  it('keeps tracing off without an OTLP endpoint, and names the service after it', () => {
    expect(telemetrySettings('ingestor', {})).toEqual({
      serviceName: 'ingestor',
      exporter: 'none',
      otlpTracesUrl: undefined,
      resourceAttributes: {},
      traceProject: undefined,
    });
  });

  it('exports over OTLP/HTTP to the traces endpoint as given, or the base endpoint plus /v1/traces', () => {
    expect(telemetrySettings('rag', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      exporter: 'otlp',
      otlpTracesUrl: 'http://collector:4318/v1/traces',
    });
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' };
    expect(telemetrySettings('rag', both).otlpTracesUrl).toBe('https://traces.example/otlp');
    expect(telemetrySettings('rag', { ...both, OTEL_SDK_DISABLED: 'true' }).exporter).toBe('none');
    expect(telemetrySettings('rag', { ...both, OTEL_TRACES_EXPORTER: 'none' }).exporter).toBe('none');
    expect(telemetrySettings('rag', { OTEL_TRACES_EXPORTER: 'console' }).exporter).toBe('console');
  });

  it('takes OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and the trace project from the environment', () => {
    const settings = telemetrySettings('chat-sync', {
      OTEL_SERVICE_NAME: 'chat-sync-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod, team=data%20platform',
      PUBSUB_PROJECT: 'acme-pubsub',
    });
    expect(settings).toMatchObject({
      serviceName: 'chat-sync-eu',
      resourceAttributes: { 'deployment.environment.name': 'prod', team: 'data platform' },
      traceProject: 'acme-pubsub',
    });
    expect(telemetrySettings('x', { PUBSUB_PROJECT: 'acme-pubsub', GOOGLE_CLOUD_PROJECT: 'acme' }).traceProject).toBe('acme');
  });

  it('refuses settings it cannot honour, naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
      [{ OTEL_RESOURCE_ATTRIBUTES: 'team' }, 'OTEL_RESOURCE_ATTRIBUTES'],
    ];
    for (const [env, variable] of cases) {
      expect(() => telemetrySettings('x', env), variable).toThrow(TelemetryConfigError);
      expect(() => telemetrySettings('x', env), variable).toThrow(new RegExp(`^telemetry config: ${variable} `));
    }
  });
});
