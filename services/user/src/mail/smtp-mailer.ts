import nodemailer from 'nodemailer';
import { checkMail, MailDeliveryError, type Mailer } from './mailer.ts';

export interface SmtpMailerOptions {
  /** USER_SMTP_URL: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://...` (TLS). */
  url: string;
  /** USER_MAIL_FROM. */
  from: string;
  /** Connection and greeting timeouts (default 10 s): a stalled server fails the send, never hangs it. */
  timeoutMs?: number;
}

/**
 * The SMTP mailer (USER_MAILER=smtp) on nodemailer, with a small pool of connections. The
 * idempotency key becomes the Message-ID (`<key@mobius-user>`), so a receiving system can drop a
 * duplicate. Tested against a loopback SMTP server (smtp-server) by the mailer conformance suite.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      checkMail(mail);
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: `<${mail.idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '.')}@mobius-user>`,
          headers: { 'X-Mobius-Intent': mail.intent },
        });
      } catch (error) {
        throw new MailDeliveryError('smtp', error);
      }
    },
    async close() {
      transport.close();
    },
  };
}
