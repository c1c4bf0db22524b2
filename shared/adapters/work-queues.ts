/**
 * The ports through which use cases hand work to the service's own workers, on its queues (shared/ports.ts):
 * - AddressWatchRequests on `addressWatch`: one message per deposit address, carrying its invoice id for the logs of
 *   functions/watch-addresses, which applies it at every enabled provider;
 * - ExportQueue on `exports`: one message per job, run by functions/export-worker;
 * - RefundQueue on `refunds`: one message per approved refund, run by functions/instruct-refunds;
 * - PayerMailQueue on `outbox`: one message per mail to a payer, sent by functions/publish-receipts;
 * - transfer sightings on `transfers`, or on `finals` in their ministry's group (functions/reconcile-transfers).
 */
import { createHash } from 'node:crypto';
import type { AddressWatchMessage } from '../domain/address-watch';
import type { ExportMessage } from '../domain/exports/jobs';
import { sightingKey, type TransferObservedInput } from '../domain/transfers';
import type { AddressWatchRequests, ExportQueue, PayerMailQueue, RefundQueue, WatchedDeposit } from '../ports';
import { mailConfig } from './config';
import { sendMessages } from './queue';

function watchMessages(
  action: AddressWatchMessage['action'],
  deposits: readonly WatchedDeposit[],
): AddressWatchMessage[] {
  return deposits.map((d) => ({ action, addresses: [d.address], invoiceId: d.invoiceId }));
}

/** Queues watch and unwatch requests; resolves once SQS accepted every one. */
export const addressWatchQueue: AddressWatchRequests = {
  watch: (deposits) => sendMessages('addressWatch', watchMessages('watch', deposits)),
  unwatch: (deposits) => sendMessages('addressWatch', watchMessages('unwatch', deposits)),
};

/** Queues an export job; resolves once SQS accepted it. */
export const exportQueue: ExportQueue = {
  enqueue: (exportId) => sendMessages('exports', [{ exportId } satisfies ExportMessage]),
};

/** Queues an approved refund for its order to the custodian; resolves once SQS accepted it. */
export const refundQueue: RefundQueue = {
  enqueue: (refundId) => sendMessages('refunds', [{ refundId }]),
};

/**
 * Sends sightings where they are reconciled: one naming its invoice's ministry (the confirmer's hint) to `finals`,
 * in the ministry's FIFO group, so that ministry's receipts are numbered by one consumer at a time; any other to
 * `transfers`. A FIFO resend of the same report within five minutes is dropped by SQS (deduplication id: a hash of
 * what the sighting says, `sightingKey`).
 */
export async function sendSightings(sightings: readonly TransferObservedInput[]): Promise<void> {
  const sequenced = sightings.filter((s) => s.hint);
  const others = sightings.filter((s) => !s.hint);
  if (others.length) await sendMessages('transfers', others);
  if (sequenced.length) {
    await sendMessages('finals', sequenced, {
      groupId: (s) => (s.hint as { ministry: string }).ministry,
      deduplicationId: (s) => createHash('sha256').update(sightingKey(s)).digest('hex'),
    });
  }
}

/** Queues a payer mail on the outbox when mail is on (`MAIL_FROM`); undefined, so nothing is queued, when it is off. */
export function payerMailQueue(): PayerMailQueue | undefined {
  if (!mailConfig()) return undefined;
  return (request) => sendMessages('outbox', [request]);
}
