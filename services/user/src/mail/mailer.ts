/**
 * The mailer port (docs/api/user.md, "Mail"): how the user service sends its account mails
 * (password reset, invite). Two adapters: the outbox (outbox-mailer.ts: a row in
 * `user_ext.mail_outbox` that operators and tests read; the default) and SMTP (smtp-mailer.ts,
 * nodemailer). Both meet one conformance suite (test/user-mailer-conformance.test.ts): what is sent
 * is read back byte for byte, a mail that would inject headers is refused before any I/O, and a
 * transport that cannot deliver rejects with MailDeliveryError.
 */

/** What the service sends. `text` is the plain-text body; no HTML, no attachments. */
export interface OutgoingMail {
  /** One address. */
  to: string;
  subject: string;
  text: string;
  /** What the mail is for (`password_reset`, `account_invite`), as the original's email skill names it. */
  intent: string;
  /** One mail per key: the outbox keeps the first; SMTP uses it as the Message-ID's local part. */
  idempotencyKey: string;
}

export interface Mailer {
  /** `outbox` or `smtp` (start-up line, logs). */
  readonly kind: string;
  /** Delivers `mail` (or, for the outbox, stores it); rejects with MailRefused or MailDeliveryError. */
  send(mail: OutgoingMail): Promise<void>;
  /** Releases what the adapter holds (an SMTP connection pool); never what it was given. */
  close(): Promise<void>;
}

/** The mail itself is unacceptable (no I/O was done): a bad address or a header with a line break. */
export class MailRefused extends Error {
  constructor(
    readonly field: keyof OutgoingMail,
    reason: string,
  ) {
    super(`mail ${field} ${reason}`);
    this.name = 'MailRefused';
  }
}

/** The transport did not take the mail (connection refused, SMTP error, database down). */
export class MailDeliveryError extends Error {
  constructor(
    readonly mailer: string,
    cause: unknown,
  ) {
    super(`${mailer} mailer could not deliver: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MailDeliveryError';
  }
}

/** A single address: no display name, no list, no whitespace or angle brackets. */
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const LINE_BREAK = /[\r\n]/;
const MAX_ADDRESS = 254;
const MAX_SUBJECT = 998;
const MAX_BODY = 100_000;
const MAX_KEY = 120;

/**
 * Every adapter calls this first: a recipient that is not one plain address, a subject, intent or
 * key with a line break (header injection), NUL anywhere, or oversized parts are refused.
 */
export function checkMail(mail: OutgoingMail): OutgoingMail {
  if (mail.to.length > MAX_ADDRESS || !ADDRESS.test(mail.to)) throw new MailRefused('to', 'is not one plain address');
  for (const field of ['subject', 'intent', 'idempotencyKey'] as const) {
    if (LINE_BREAK.test(mail[field])) throw new MailRefused(field, 'contains a line break');
  }
  for (const field of ['to', 'subject', 'text', 'intent', 'idempotencyKey'] as const) {
    if (mail[field].includes('\u0000')) throw new MailRefused(field, 'contains NUL');
  }
  if (mail.subject.length > MAX_SUBJECT) throw new MailRefused('subject', 'is too long');
  if (mail.text.length > MAX_BODY) throw new MailRefused('text', 'is too long');
  if (!mail.intent || mail.intent.length > 40) throw new MailRefused('intent', 'must be 1 to 40 characters');
  if (!mail.idempotencyKey || mail.idempotencyKey.length > MAX_KEY) throw new MailRefused('idempotencyKey', `must be 1 to ${MAX_KEY} characters`);
  return mail;
}

/**
 * The mailer of an app built without one (tests of other routes): each mail is checked, then
 * dropped with a log line naming its intent and masked recipient (never its body: it holds a link).
 */
export function createDroppingMailer(log: (message: string, fields: Record<string, unknown>) => void): Mailer {
  return {
    kind: 'none',
    async send(mail) {
      checkMail(mail);
      log('mail dropped: no mailer configured', { intent: mail.intent, to: `${mail.to.slice(0, 1)}•••${mail.to.slice(mail.to.indexOf('@'))}` });
    },
    close: async () => undefined,
  };
}
