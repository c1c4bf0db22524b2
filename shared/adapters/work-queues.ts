/**
 * The ports through which use cases hand work to the service's own workers, on its queues (shared/ports.ts):
 * - AddressWatchRequests on `addressWatch`: one message per deposit address, carrying its invoice id for the logs of
 *   functions/watch-addresses, which applies it at every enabled provider;
 * - ExportQueue on `exports`: one message per job, run by functions/export-worker.
 */
import type { AddressWatchMessage } from '../domain/address-watch';
import type { ExportMessage } from '../domain/exports/jobs';
import type { AddressWatchRequests, ExportQueue, WatchedDeposit } from '../ports';
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
