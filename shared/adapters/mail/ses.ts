/**
 * Mail through Amazon SES (API v2) from the stack's verified identity. SES refuses some mail for good
 * (`MessageRejected`, an unverified sender, a suppressed address): those are rejections, never retried; throttling
 * and service errors throw, so the outbox retries them. Bounces SES learns later reach its own suppression list.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../../ports';
import { clientConfig, traced } from '../aws/config';

const PERMANENT = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException']);

let client: SESv2Client | undefined;

/** A mailer sending from `from` (an SES verified identity) with the optional configuration set. */
export function sesMailer(from: string, configurationSet?: string): Mailer {
  client ??= traced(new SESv2Client(clientConfig()));
  const ses = client;
  return {
    messageIdDomain: from.split('@')[1] ?? 'stablefee.invalid',
    async send(mail) {
      try {
        await ses.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [mail.to] },
            ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
            Content: {
              Simple: {
                Subject: { Data: mail.subject, Charset: 'UTF-8' },
                Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
                Headers: [
                  { Name: 'Content-Language', Value: mail.language },
                  { Name: 'Auto-Submitted', Value: 'auto-generated' },
                ],
              },
            },
          }),
        );
        return { result: 'sent' };
      } catch (error) {
        const name = (error as Error).name;
        if (PERMANENT.has(name)) return { result: 'rejected', reason: name };
        throw error;
      }
    },
  };
}
