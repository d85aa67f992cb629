import type pg from 'pg';
import { checkMail, MailDeliveryError, type Mailer } from './mailer.ts';

/** A mail as the outbox holds it. */
export interface OutboxMail {
  mailId: string;
  recipient: string;
  subject: string;
  body: string;
  intent: string;
  idempotencyKey: string;
  createdAt: string;
}

/**
 * The outbox mailer (USER_MAILER=outbox, the default): each mail is a row of
 * `user_ext.mail_outbox` (migration 003), read by operators (`readOutbox`, or SQL) and by tests.
 * A second mail with the same idempotency key is not stored again. Nothing is sent anywhere.
 */
export function createOutboxMailer(pool: pg.Pool): Mailer {
  return {
    kind: 'outbox',
    async send(mail) {
      checkMail(mail);
      try {
        await pool.query(
          `INSERT INTO user_ext.mail_outbox (recipient, subject, body, intent, idempotency_key, created_at)
           VALUES ($1, $2, $3, $4, $5, (now() AT TIME ZONE 'UTC')) ON CONFLICT (idempotency_key) DO NOTHING`,
          [mail.to, mail.subject, mail.text, mail.intent, mail.idempotencyKey],
        );
      } catch (error) {
        throw new MailDeliveryError('outbox', error);
      }
    },
    close: async () => undefined,
  };
}

/** The outbox's mails to `recipient` (any case), newest first; every mail when recipient is undefined. */
export async function readOutbox(pool: pg.Pool, recipient?: string, limit = 50): Promise<OutboxMail[]> {
  const result = await pool.query<OutboxMail>(
    `SELECT mail_id AS "mailId", recipient, subject, body, intent, idempotency_key AS "idempotencyKey",
            to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt"
       FROM user_ext.mail_outbox
      WHERE $1::text IS NULL OR lower(recipient) = lower($1)
      ORDER BY created_at DESC, mail_id LIMIT $2`,
    [recipient ?? null, limit],
  );
  return result.rows;
}
