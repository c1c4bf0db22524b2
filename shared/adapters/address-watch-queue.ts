/**
 * The address-watch requests port (shared/ports.ts) on the `addressWatch` queue: one message per deposit address,
 * carrying its invoice id for the logs of functions/watch-addresses, which applies it at every enabled provider.
 */
import type { AddressWatchRequests, WatchedDeposit } from '../ports';
import type { AddressWatchMessage } from './providers/address-watch';
import { sendMessages } from './queue';

function messages(action: AddressWatchMessage['action'], deposits: readonly WatchedDeposit[]): AddressWatchMessage[] {
  return deposits.map((d) => ({ action, addresses: [d.address], invoiceId: d.invoiceId }));
}

/** Queues watch and unwatch requests; resolves once SQS accepted every one. */
export const addressWatchQueue: AddressWatchRequests = {
  watch: (deposits) => sendMessages('addressWatch', messages('watch', deposits)),
  unwatch: (deposits) => sendMessages('addressWatch', messages('unwatch', deposits)),
};
