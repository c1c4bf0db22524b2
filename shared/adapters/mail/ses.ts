/**
 * Mail through Amazon SES (API v2) from the stack's verified identity. Only a request SES refuses as invalid for this
 * message (`BadRequestException`) is a rejection, recorded and never retried. Everything else throws, so the outbox
 * retries it and, failing for a day, dead-letters it with an alarm: throttling and service errors, and the faults of
 * the deployment rather than the payer (`MessageRejected` for an unverified sender or a sandboxed account, a MAIL
 * FROM domain not verified, sending paused or the account suspended), which the operator fixes and replays. A bounce
 * SES learns after accepting a mail goes to its account-level suppression list, not back to the invoice.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../../ports';
import { clientConfig, traced } from '../aws/config';

const REJECTED_FOR_GOOD = new Set(['BadRequestException']);

let client: SESv2Client | undefined;

/** A mailer sending from `from` (an SES verified identity). */
export function sesMailer(from: string): Mailer {
  client ??= traced(new SESv2Client(clientConfig()));
  const ses = client;
  return {
    messageIdDomain: from.split('@')[1] ?? 'stablefee.invalid',
    async send(mail) {
      try {
        const answer = await ses.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [mail.to] },
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
        return { result: 'sent', ...(answer.MessageId ? { providerMessageId: answer.MessageId } : {}) };
      } catch (error) {
        const name = (error as Error).name;
        if (REJECTED_FOR_GOOD.has(name)) return { result: 'rejected', reason: name };
        throw error;
      }
    },
  };
}
