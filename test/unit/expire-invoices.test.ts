/** The expiry sweep against in-memory ports: expired or underpaid, unwatched, and idempotent. */
import { describe, expect, it } from 'vitest';
import { expireInvoices } from '../../shared/app/expire-invoices';
import { anInvoice } from '../support/invoices';
import { MemoryAddressWatch } from '../support/memory-address-watch';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';

const NOW = new Date('2026-03-10T08:00:00.000Z');
const PAST = '2026-03-10T07:59:00.000Z';
const FUTURE = '2026-03-10T09:00:00.000Z';

function sweep(store: MemoryInvoiceStore, addressWatch = new MemoryAddressWatch()) {
  return expireInvoices({ invoices: store, addressWatch, now: () => NOW });
}

describe('expireInvoices', () => {
  const overdue = anInvoice({ expiresAt: PAST });
  const partlyPaid = anInvoice({ expiresAt: PAST, status: 'processing', paidMicroUsd: 1_000_000n });
  const pending = anInvoice({ expiresAt: PAST, status: 'processing', pendingMicroUsd: 5_000_000n });
  const current = anInvoice({ expiresAt: FUTURE });
  const paid = anInvoice({ expiresAt: PAST, status: 'paid', paidMicroUsd: 300_000_000n });

  it('expires overdue invoices, underpaid when part was paid, and leaves the rest', async () => {
    const store = new MemoryInvoiceStore().seed(overdue, partlyPaid, pending, current, paid);
    expect(await sweep(store)).toEqual({ expired: 2 });
    expect(await store.get(overdue.id)).toMatchObject({ status: 'expired', exception: 'none', version: 1 });
    expect(await store.get(partlyPaid.id)).toMatchObject({ status: 'expired', exception: 'underpaid' });
    expect(await store.get(pending.id)).toEqual(pending);
    expect(await store.get(current.id)).toEqual(current);
    expect(await store.get(paid.id)).toEqual(paid);
  });

  it('asks for the expired addresses to be unwatched, once per page', async () => {
    const store = new MemoryInvoiceStore(1).seed(overdue, partlyPaid, current);
    const watch = new MemoryAddressWatch();
    await sweep(store, watch);
    expect(watch.requests).toEqual([
      { action: 'unwatch', deposits: [{ address: overdue.depositAddress, invoiceId: overdue.id }] },
      { action: 'unwatch', deposits: [{ address: partlyPaid.depositAddress, invoiceId: partlyPaid.id }] },
    ]);
  });

  it('changes nothing on a repeated run, and sends no unwatch for it', async () => {
    const store = new MemoryInvoiceStore().seed(overdue, partlyPaid);
    await sweep(store);
    const after = [await store.get(overdue.id), await store.get(partlyPaid.id)];
    const watch = new MemoryAddressWatch();
    expect(await sweep(store, watch)).toEqual({ expired: 0 });
    expect([await store.get(overdue.id), await store.get(partlyPaid.id)]).toEqual(after);
    expect(watch.requests).toEqual([]);
  });

  it('leaves an invoice paid between the read and the write', async () => {
    const store = new MemoryInvoiceStore().seed(overdue);
    const expireWrite = store.expire.bind(store);
    store.expire = async (read, exception, at) => {
      store.seed({ ...overdue, status: 'processing', pendingMicroUsd: 9n, version: 1 });
      return expireWrite(read, exception, at);
    };
    expect(await sweep(store)).toEqual({ expired: 0 });
    expect((await store.get(overdue.id))?.status).toBe('processing');
  });

  it('still expires when the unwatch request fails', async () => {
    const store = new MemoryInvoiceStore().seed(overdue);
    const watch = new MemoryAddressWatch();
    watch.failWith = new Error('queue down');
    expect(await sweep(store, watch)).toEqual({ expired: 1 });
  });
});
