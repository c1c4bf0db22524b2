/** Cancelling invoices against an in-memory store: own ministry only, never once money was seen, races settled. */
import { describe, expect, it } from 'vitest';
import { cancelInvoice } from '../../shared/app/cancel-invoice';
import { ConflictError, NotFoundError } from '../../shared/domain/errors';
import { anInvoice } from '../support/invoices';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';

const NOW = new Date('2026-03-10T06:30:00.000Z');

function cancel(store: MemoryInvoiceStore, id: string, ministry = 'AFSA') {
  return cancelInvoice(id, ministry, { invoices: store, now: () => NOW });
}

describe('cancelInvoice', () => {
  it('cancels an open invoice of the caller, journals the reversal, and answers a repeat with the same invoice', async () => {
    const open = anInvoice();
    const store = new MemoryInvoiceStore().seed(open);
    const cancelled = await cancel(store, open.id);
    expect(cancelled).toMatchObject({ id: open.id, status: 'cancelled', version: 1 });
    expect((await store.get(open.id))?.status).toBe('cancelled');
    expect(store.journal.map((e) => e.entryId)).toEqual([`${open.id}:cancelled`]);
    expect(await cancel(store, open.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(store.journal).toHaveLength(1);
  });

  it("reads another ministry's invoice, and an unknown one, as absent", async () => {
    const theirs = anInvoice({ ministry: 'MINFIN' });
    const store = new MemoryInvoiceStore().seed(theirs);
    await expect(cancel(store, theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(cancel(store, 'inv_unknown')).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.get(theirs.id))?.status).toBe('open');
  });

  it.each([
    ['part of it is paid', { status: 'processing', paidMicroUsd: 1_000_000n }, 'a payment was seen'],
    ['a payment is pending', { status: 'processing', pendingMicroUsd: 1_000_000n }, 'a payment was seen'],
    ['it is paid', { status: 'paid', paidMicroUsd: 300_000_000n }, 'a payment was seen'],
    ['its expiry passed', { expiresAt: '2026-03-10T06:29:59.000Z' }, 'it is expired'],
    ['it expired', { status: 'expired' }, 'it is expired'],
  ] as const)('refuses when %s', async (_when, overrides, reason) => {
    const invoice = anInvoice(overrides);
    const store = new MemoryInvoiceStore().seed(invoice);
    const refused = cancel(store, invoice.id);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(reason);
    expect(await store.get(invoice.id)).toEqual(invoice);
    expect(store.journal).toEqual([]);
  });

  it('refuses when a payment is seen between the read and the write', async () => {
    const invoice = anInvoice();
    const store = new MemoryInvoiceStore().seed(invoice);
    const cancelWrite = store.cancel.bind(store);
    store.cancel = async (read, at) => {
      store.seed({ ...invoice, status: 'processing', pendingMicroUsd: 5n, version: 1 });
      return cancelWrite(read, at);
    };
    await expect(cancel(store, invoice.id)).rejects.toThrow('a payment was seen');
    expect((await store.get(invoice.id))?.status).toBe('processing');
  });
});
