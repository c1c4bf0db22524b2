/** The configured mailer: SMTP when `MAIL_SMTP_URL` names a server (locally), else Amazon SES; none without a sender. */
import type { Mailer } from '../../ports';
import { mailConfig } from '../config';
import { sesMailer } from './ses';
import { smtpMailer } from './smtp';

let mailer: Mailer | undefined;

/** The mailer of this deployment, or undefined when mail is off (no `MAIL_FROM`). */
export function configuredMailer(): Mailer | undefined {
  const config = mailConfig();
  if (!config) return undefined;
  mailer ??= config.smtpUrl ? smtpMailer(config.smtpUrl, config.from) : sesMailer(config.from);
  return mailer;
}
