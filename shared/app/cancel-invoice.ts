/**
 * Cancelling an invoice: a ministry cancels its own invoice while it is open, nothing is paid or pending, and its
 * expiry has not passed. Another ministry's invoice reads as absent, so ids of other ministries cannot be probed.
 * Cancelling a cancelled invoice again answers it as it is.
 */
import { ConflictError, NotFoundError } from '../domain/errors';
import { effectiveState, type Invoice } from '../domain/invoices';
import type { InvoiceStore } from '../ports';

export interface CancelInvoiceDeps {
  invoices: InvoiceStore;
  now: () => Date;
}

/** Cancels invoice `id` of `ministry`; returns it cancelled. */
export async function cancelInvoice(id: string, ministry: string, deps: CancelInvoiceDeps): Promise<Invoice> {
  const current = await deps.invoices.get(id);
  if (!current || current.ministry !== ministry) throw new NotFoundError(`No invoice ${id}.`);
  if (current.status === 'cancelled') return current;
  const now = deps.now();
  const refusal = whyNotCancellable(current, now);
  if (refusal) throw new ConflictError(`Invoice ${id} can no longer be cancelled: ${refusal}.`);
  if (await deps.invoices.cancel(current, now))
    return { ...current, status: 'cancelled', version: current.version + 1 };
  // It changed since it was read: a twin cancel won (answer it), or a payment was seen (refuse).
  const latest = await deps.invoices.get(id);
  if (latest?.status === 'cancelled') return latest;
  throw new ConflictError(
    `Invoice ${id} can no longer be cancelled: ${(latest && whyNotCancellable(latest, now)) ?? 'it changed meanwhile'}.`,
  );
}

/** Why `invoice` may not be cancelled at `now`, or undefined when it may. */
export function whyNotCancellable(invoice: Invoice, now: Date): string | undefined {
  if (invoice.paidMicroUsd > 0n || invoice.pendingMicroUsd > 0n) return 'a payment was seen';
  const { status } = effectiveState(invoice, now);
  if (status !== 'open') return `it is ${status}`;
  return undefined;
}
