/**
 * Applying one address-watch message with the webhook providers' watchers (the AddressWatcher port): every selected
 * provider is called, side by side; any failure fails the message (SQS retries it, then the DLQ), and the retry
 * repeats the calls that succeeded, which is safe because adding a watched address and removing an unwatched one
 * are no-ops at every provider. The chain scanner covers the address meanwhile: a watch is latency, never money.
 */
import type { AddressWatchMessage } from '../domain/address-watch';
import type { AddressWatcher } from '../ports';

/** The watchers a message selects: those of its `providers`, or all. */
export function selectWatchers(watchers: readonly AddressWatcher[], message: AddressWatchMessage): AddressWatcher[] {
  const { providers } = message;
  return providers ? watchers.filter((w) => (providers as readonly string[]).includes(w.provider)) : [...watchers];
}

/**
 * Applies one message with every selected watcher, concurrently. Resolves with the providers called; rejects with
 * an `AggregateError` of the failures when any failed (the others have succeeded and are safe to repeat).
 */
export async function applyAddressWatch(
  watchers: readonly AddressWatcher[],
  message: AddressWatchMessage,
): Promise<string[]> {
  const selected = selectWatchers(watchers, message);
  const results = await Promise.allSettled(
    selected.map((w) => (message.action === 'watch' ? w.watch(message.addresses) : w.unwatch(message.addresses))),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length) {
    const names = selected.filter((_, i) => results[i]?.status === 'rejected').map((w) => w.provider);
    throw new AggregateError(failures, `address ${message.action} failed for ${names.join(', ')}`);
  }
  return selected.map((w) => w.provider);
}
