/**
 * The local mail sink: a real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, parsed with
 * mailparser, in memory, newest last, for `GET /dev/mail`. It delivers nothing anywhere (the cloud sends through
 * SES) and refuses mail to `*.invalid` for good, like a server without that mailbox.
 */
import type { AddressObject } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the sink received, as `GET /dev/mail` lists it. */
export interface SunkMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  date: string;
  language: string;
  text: string;
  html: string;
}

/** A running sink: where to send (`smtp://…`), what arrived, and `close`. */
export interface MailSink {
  smtpUrl: string;
  messages(): SunkMail[];
  close(): Promise<void>;
}

/** Messages kept; older ones are dropped (a developer's session, not an archive). */
const KEPT = 500;
const MAX_MESSAGE_BYTES = 1024 * 1024;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

/** Starts the sink on a free port of 127.0.0.1. */
export async function startMailSink(): Promise<MailSink> {
  const received: SunkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // A recipient in the reserved `.invalid` domain (RFC 2606) is refused for good, as a real server refuses an unknown
    // mailbox: tests see a bounce without a network.
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase().endsWith('.invalid')) {
        callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          // smtp-server only counts past `size`; the limit is kept here (552, as a real server answers).
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
            return;
          }
          received.push({
            messageId: mail.messageId ?? '',
            from: addresses(mail.from)[0] ?? '',
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            date: (mail.date ?? new Date()).toISOString(),
            language: String(mail.headers.get('content-language') ?? ''),
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          if (received.length > KEPT) received.splice(0, received.length - KEPT);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    messages: () => [...received],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
