/**
 * Mail over SMTP (nodemailer): the local runtime's mail sink, or any relay a deployment names in `MAIL_SMTP_URL`.
 * A permanent refusal (a 5xx reply) is a rejection; anything else that fails throws, so the outbox retries it.
 */
import nodemailer from 'nodemailer';
import type { Mailer } from '../../ports';

/** A mailer sending through the SMTP server at `url` (`smtp://host:port`) from `from`. */
export function smtpMailer(url: string, from: string): Mailer {
  // Seconds, not nodemailer's minutes: a hung relay must fail this mail, not the publisher's batch (40 s).
  const { hostname, port, protocol, username, password } = new URL(url);
  const transport = nodemailer.createTransport({
    host: hostname,
    port: Number(port || (protocol === 'smtps:' ? 465 : 587)),
    secure: protocol === 'smtps:',
    ...(username ? { auth: { user: decodeURIComponent(username), pass: decodeURIComponent(password) } } : {}),
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  return {
    messageIdDomain: from.split('@')[1] ?? 'stablefee.invalid',
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: { 'Content-Language': mail.language, 'Auto-Submitted': 'auto-generated' },
        });
        return { result: 'sent', providerMessageId: info.messageId };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) return { result: 'rejected', reason: `SMTP ${code}` };
        throw error;
      }
    },
  };
}
