/**
 * The expiry sweep: invoices past their expiry become `expired` (`underpaid` when part was paid) and their deposit
 * addresses are unwatched at the providers (the chain scanner keeps watching through the late-payment window).
 * Each move is conditional on the invoice as read, so a repeated or overlapping run changes nothing twice; invoices
 * waiting on a pending payment are read past, never waited behind.
 */
import { logger } from '../adapters/observability';
import { effectiveState, type Invoice } from '../domain/invoices';
import type { AddressWatchRequests, InvoiceStore } from '../ports';

export interface ExpireInvoicesDeps {
  invoices: InvoiceStore;
  addressWatch: AddressWatchRequests;
  now: () => Date;
}

/** Expires every invoice due at `now`; returns how many this run moved. */
export async function expireInvoices(deps: ExpireInvoicesDeps): Promise<{ expired: number }> {
  const now = deps.now();
  let expired = 0;
  // Expired invoices leave the index as we go; the store's scan resumes after the last one read.
  for await (const due of deps.invoices.dueForExpiry(now)) {
    const expiredNow: Invoice[] = [];
    for (const invoice of due) {
      const { status, exception } = effectiveState(invoice, now);
      if (status === 'expired' && (await deps.invoices.expire(invoice, exception, now))) expiredNow.push(invoice);
    }
    if (expiredNow.length) {
      // Best effort: providers stop reporting; the scanner covers the addresses meanwhile.
      await deps.addressWatch
        .unwatch(expiredNow.map((i) => ({ address: i.depositAddress, invoiceId: i.id })))
        .catch((error: unknown) => logger.warn('address unwatch request failed', { error: (error as Error).message }));
    }
    expired += expiredNow.length;
  }
  if (expired) logger.info('invoices expired', { expired });
  return { expired };
}
