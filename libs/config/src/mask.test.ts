import { describe, expect, it } from 'vitest';
import { maskUrl, maskUrlsIn } from './mask.ts';

describe('maskUrl', () => {
  it('replaces the password and keeps what an operator needs', () => {
    expect(maskUrl('postgresql://app:s3cr%40t@db.internal:5432/mobius_rag')).toBe('postgresql://app:***@db.internal:5432/mobius_rag');
    expect(maskUrl('postgresql://app@db/mobius')).toBe('postgresql://app@db/mobius');
  });

  it('masks a password given as a query parameter', () => {
    expect(maskUrl('postgresql://app@/mobius?host=/cloudsql/p:r:i&password=hunter2')).not.toContain('hunter2');
  });

  it('masks even a string that is not a valid URL', () => {
    expect(maskUrl('postgres://app:hunter2@db:notaport/x')).not.toContain('hunter2');
  });

  it('masks every URL inside a driver message', () => {
    const text = 'failed to connect to postgresql://a:hunter2@h/d and postgres://b:swordfish@h2/d2';
    const masked = maskUrlsIn(text);
    expect(masked).not.toContain('hunter2');
    expect(masked).not.toContain('swordfish');
    expect(masked).toContain('postgresql://a:***@h/d');
  });
});
