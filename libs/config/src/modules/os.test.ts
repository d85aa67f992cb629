import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { loadOsDatabaseConfig } from './os.ts';

describe('os database rules', () => {
  it('defaults to local mode on localhost:5432/mobius as postgres with no password', () => {
    const config = loadOsDatabaseConfig({});
    expect(config.mode).toBe('local');
    expect(config.databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius');
  });

  it('treats any DATABASE_MODE but cloud as local', () => {
    const config = loadOsDatabaseConfig({ DATABASE_MODE: 'staging', POSTGRES_HOST_CLOUD: 'cloud.example' });
    expect(config.mode).toBe('local');
    expect(config.databaseUrl).toContain('@localhost:5432/');
  });

  it('uses the _LOCAL variables and URL-encodes the password', () => {
    const config = loadOsDatabaseConfig({
      POSTGRES_HOST_LOCAL: 'db.internal',
      POSTGRES_PORT_LOCAL: '6543',
      POSTGRES_DB_LOCAL: 'os_db',
      POSTGRES_USER_LOCAL: 'os',
      POSTGRES_PASSWORD_LOCAL: 'p@ss/w:rd#1',
    });
    const parsed = parse(config.databaseUrl);
    expect(parsed).toMatchObject({ host: 'db.internal', port: '6543', database: 'os_db', user: 'os' });
    expect(parsed.password).toBe('p@ss/w:rd#1');
  });

  it('connects over /cloudsql/<name> in cloud mode, ignoring host and port, password encoded', () => {
    const config = loadOsDatabaseConfig({
      DATABASE_MODE: 'cloud',
      CLOUDSQL_CONNECTION_NAME: 'proj:us-central1:mobius',
      POSTGRES_HOST_CLOUD: '10.1.2.3',
      POSTGRES_PORT_CLOUD: '6000',
      POSTGRES_DB_CLOUD: 'mobius',
      POSTGRES_USER_CLOUD: 'app',
      POSTGRES_PASSWORD_CLOUD: 'a&b=c?d',
    });
    expect(config.socketDir).toBe('/cloudsql/proj:us-central1:mobius');
    const parsed = parse(config.databaseUrl);
    expect(parsed.host).toBe('/cloudsql/proj:us-central1:mobius');
    expect(parsed.port).toBe('5432');
    expect(parsed.password).toBe('a&b=c?d');
    expect(parsed.database).toBe('mobius');
  });

  it('uses the _CLOUD variables over TCP in cloud mode without a connection name', () => {
    const config = loadOsDatabaseConfig({
      DATABASE_MODE: 'cloud',
      POSTGRES_HOST_CLOUD: '10.1.2.3',
      POSTGRES_DB_CLOUD: 'mobius',
      POSTGRES_USER_CLOUD: 'app',
    });
    expect(parse(config.databaseUrl)).toMatchObject({ host: '10.1.2.3', port: '5432', database: 'mobius' });
    expect(config.source).toBe('POSTGRES_*_CLOUD');
  });

  it('names the missing cloud variable', () => {
    expect(() => loadOsDatabaseConfig({ DATABASE_MODE: 'cloud', POSTGRES_DB_CLOUD: 'm', POSTGRES_USER_CLOUD: 'u' })).toThrow(
      'os config: POSTGRES_HOST_CLOUD is required when DATABASE_MODE=cloud without CLOUDSQL_CONNECTION_NAME',
    );
    expect(() => loadOsDatabaseConfig({ DATABASE_MODE: 'cloud', CLOUDSQL_CONNECTION_NAME: 'p:r:i' })).toThrow('POSTGRES_DB_CLOUD is required');
  });

  it('requires explicit local host and database in prod', () => {
    expect(() => loadOsDatabaseConfig({}, { deployEnv: 'prod' })).toThrow('POSTGRES_HOST_LOCAL is required with --env prod');
    expect(() => loadOsDatabaseConfig({ POSTGRES_HOST_LOCAL: 'h', POSTGRES_DB_LOCAL: 'd' }, { deployEnv: 'prod' })).not.toThrow();
  });

  it('rejects a port that is not a number, naming it', () => {
    expect(() => loadOsDatabaseConfig({ POSTGRES_PORT_LOCAL: 'fivefourthree' })).toThrow('os config: POSTGRES_PORT_LOCAL is not a number');
  });

  it('reads ENABLE_FIRESTORE as a flag', () => {
    expect(loadOsDatabaseConfig({ ENABLE_FIRESTORE: 'true' }).enableFirestore).toBe(true);
    expect(loadOsDatabaseConfig({}).enableFirestore).toBe(false);
  });
});
