// The mailer port's conformance suite (services/user/src/mail/mailer.ts), run on each adapter: the
// outbox on a real Postgres (read back from user_ext.mail_outbox) and SMTP through nodemailer to a
// loopback SMTP server (smtp-server, parsed with mailparser). Every adapter delivers recipient,
// subject and text byte for byte (accents, emoji, RTL, long lines), delivers concurrent sends, refuses
// a mail that would inject headers before any I/O, and rejects with MailDeliveryError when its
// transport is gone.
import type { AddressInfo } from 'node:net';
import { createPool } from '@mobius/db';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDeliveryError, MailRefused, type Mailer, type OutgoingMail } from '../services/user/src/mail/mailer.ts';
import { createOutboxMailer, readOutbox } from '../services/user/src/mail/outbox-mailer.ts';
import { createSmtpMailer } from '../services/user/src/mail/smtp-mailer.ts';
import { loadUserServiceConfig } from '../services/user/src/config.ts';
import { createService } from '../services/user/src/service.ts';
import { adminQuery, createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

/** A mail as the far side received it. */
interface Received {
  to: string;
  subject: string;
  text: string;
}

/** One adapter under test: its mailer, what arrived, and a way to take its transport away. */
interface Harness {
  mailer: Mailer;
  received(to: string): Promise<Received[]>;
  /** The same adapter on a transport that cannot deliver (an ended pool, a closed port). */
  unreachable(): Promise<Mailer>;
  close(): Promise<void>;
}

let counter = 0;
const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => {
  counter += 1;
  return {
    to: `reader.${counter}.${Date.now()}@example.com`,
    subject: 'Reset your Mobius password',
    text: 'Hi there,\n\nUse the link below:\nhttps://app.example.test/set-password?token=abc_DEF-123\n\n— The Mobius team\n',
    intent: 'password_reset',
    idempotencyKey: `reset:${counter}:${Date.now()}`,
    ...overrides,
  };
};

function conformance(name: string, create: () => Promise<Harness>) {
  describe(`${name} mailer`, () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await create();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('delivers recipient, subject and text byte for byte', async () => {
      const sent = mail({
        subject: 'Réinitialisez votre mot de passe 🔐 — مرحبا',
        text: `Hi Zoë,\n\nשלום, a combining e\u0301 and a long line: ${'x'.repeat(1200)}\nhttps://app.example.test/set-password?token=Zz_-9\n`,
      });
      await harness.mailer.send(sent);
      expect(await harness.received(sent.to)).toEqual([{ to: sent.to, subject: sent.subject, text: sent.text }]);
    });

    it('delivers concurrent sends, each once', async () => {
      const batch = Array.from({ length: 12 }, () => mail());
      await Promise.all(batch.map((one) => harness.mailer.send(one)));
      for (const one of batch) expect(await harness.received(one.to)).toHaveLength(1);
    });

    it('refuses a mail that would inject headers or is not one address, before any I/O', async () => {
      const bad: Array<[Partial<OutgoingMail>, keyof OutgoingMail]> = [
        [{ to: 'a@example.com\r\nBcc: victim@example.com' }, 'to'],
        [{ to: 'a@example.com, b@example.com' }, 'to'],
        [{ to: 'Someone <a@example.com>' }, 'to'],
        [{ to: 'not-an-address' }, 'to'],
        [{ subject: 'Hello\r\nBcc: victim@example.com' }, 'subject'],
        [{ subject: 'Hello\nX-Injected: 1' }, 'subject'],
        [{ text: 'a\u0000b' }, 'text'],
        [{ idempotencyKey: '' }, 'idempotencyKey'],
      ];
      for (const [overrides, field] of bad) {
        const refused = harness.mailer.send(mail(overrides));
        await expect(refused).rejects.toBeInstanceOf(MailRefused);
        await expect(refused).rejects.toMatchObject({ field });
      }
      expect(await harness.received('victim@example.com')).toEqual([]);
    });

    it('rejects with MailDeliveryError when its transport is gone', async () => {
      const broken = await harness.unreachable();
      const attempt = broken.send(mail());
      await expect(attempt).rejects.toBeInstanceOf(MailDeliveryError);
      await expect(attempt).rejects.toThrow(`${harness.mailer.kind} mailer could not deliver`);
      await broken.close();
    });
  });
}

const database = uniqueName('user_mail');

conformance('outbox', async () => {
  await createMigratedDatabase(database, 'user');
  const pool = createPool(testDatabaseUrl(database), { applicationName: 'mailer-conformance' });
  return {
    mailer: createOutboxMailer(pool),
    received: async (to) => (await readOutbox(pool, to)).map((row) => ({ to: row.recipient, subject: row.subject, text: row.body })),
    unreachable: async () => {
      const ended = createPool(testDatabaseUrl(database), { applicationName: 'mailer-conformance-ended' });
      await ended.end();
      return createOutboxMailer(ended);
    },
    close: async () => {
      await pool.end();
      await dropDatabases([database]);
    },
  };
});

conformance('smtp', async () => {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          for (const recipient of session.envelope.rcptTo) {
            inbox.push({ to: recipient.address, subject: parsed.subject ?? '', text: parsed.text ?? '' });
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'Mobius <no-reply@example.com>', timeoutMs: 2000 });
  return {
    mailer,
    received: async (to) => inbox.filter((one) => one.to === to),
    unreachable: async () => {
      // A port that was just free: nothing listens there.
      const probe = new SMTPServer({ logger: false });
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const closedPort = (probe.server.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return createSmtpMailer({ url: `smtp://127.0.0.1:${closedPort}`, from: 'Mobius <no-reply@example.com>', timeoutMs: 1000 });
    },
    close: async () => {
      await mailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});

/** The user service's connections open on `database` (its pool names itself mobius-user). */
async function connections(database: string): Promise<number> {
  const result = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mobius-user'`, [
    database,
  ]);
  return result.rows[0].n as number;
}

describe('the composition root with USER_MAILER=smtp', () => {
  const serviceDatabase = uniqueName('user_mail_svc');

  it('sends a reset mail through the SMTP server, and closes its pool and transport with the app', async () => {
    const inbox: Received[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            for (const recipient of session.envelope.rcptTo)
              inbox.push({ to: recipient.address, subject: parsed.subject ?? '', text: parsed.text ?? '' });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await createMigratedDatabase(serviceDatabase, 'user');
    try {
      const config = loadUserServiceConfig({
        // Postgres trusts loopback here: the password is only there to be masked in the start-up facts.
        USER_DATABASE_URL: testDatabaseUrl(serviceDatabase).replace('postgres@', 'postgres:a-database-password@'),
        JWT_SECRET: 'smtp-root-secret',
        USER_MAILER: 'smtp',
        USER_SMTP_URL: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
        USER_MAIL_FROM: 'Mobius <accounts@example.com>',
        MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.com/set-password',
        LOG_LEVEL: 'silent',
      });
      const service = await createService(config);
      expect(service.facts).toMatchObject({ mailer: 'smtp', googleSignIn: false, directoryKey: false });
      expect(String(service.facts.database)).toContain(serviceDatabase);
      expect(String(service.facts.database)).not.toContain('a-database-password');
      const email = `smtp.reader.${Date.now()}@example.com`;
      const registered = await service.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email, password: 'correct horse battery' },
      });
      expect(registered.statusCode).toBe(200);
      const requested = await service.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/request', payload: { email } });
      expect(requested.statusCode).toBe(202);
      expect(await connections(serviceDatabase)).toBeGreaterThan(0);
      // Closing the app waits for the mail being sent, then closes the transport and the pool.
      await service.stop();
      // A closed connection leaves pg_stat_activity a moment later.
      await waitFor('the user pool closed', async () => (await connections(serviceDatabase)) === 0);
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ to: email, subject: 'Reset your Mobius password' });
      expect(inbox[0]!.text).toMatch(/https:\/\/app\.example\.com\/set-password\?token=[A-Za-z0-9_-]{43}\n/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dropDatabases([serviceDatabase]);
    }
  });
});
