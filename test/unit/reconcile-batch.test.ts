/**
 * A queue batch's state read up front (shared/app/reconcile-batch.ts): two reads for the whole batch, records of the
 * batch that touch the same invoice or chain see each other's commits, and a write from outside the batch is a lost
 * race that the retry reads past — the same end state as reconciling each sighting on its own.
 */
import { describe, expect, it } from 'vitest';
import { BatchReadStore } from '../../shared/app/reconcile-batch';
import { reconcileTransfer } from '../../shared/app/reconcile-transfer';
import { type TransferObserved, transferId } from '../../shared/domain/transfers';
import { anInvoice } from '../support/invoices';
import { MemoryReconcileStore } from '../support/memory-reconcile-store';
import { again, openInvoice, payment, reconcileDeps } from '../support/reconcile-fixtures';

const keysOf = (seen: TransferObserved) => ({ transferId: transferId(seen), address: seen.to, ...(seen.hint ?? {}) });

/** Ten open invoices of one ministry, each with its own address. */
function tenInvoices(store: MemoryReconcileStore) {
  return Array.from({ length: 10 }, (_, i) => {
    const invoice = openInvoice({
      id: `inv_BATCH${String(i).padStart(17, '0')}`,
      depositAddress: `0x${(i + 1).toString(16).padStart(40, '0')}`,
    });
    store.addInvoice(invoice);
    return invoice;
  });
}

async function reconcileBatch(sightings: TransferObserved[], memory: MemoryReconcileStore) {
  const store = new BatchReadStore(memory);
  await store.prefetch(sightings.map(keysOf));
  const { deps } = reconcileDeps(memory);
  for (const seen of sightings) await reconcileTransfer(seen, { ...deps, store });
}

describe('BatchReadStore', () => {
  it('reads a batch of ten sightings in two requests and writes what one-by-one reconciliation writes', async () => {
    const batched = new MemoryReconcileStore();
    const alone = new MemoryReconcileStore();
    const invoices = tenInvoices(batched);
    tenInvoices(alone);
    const seen = invoices.map((invoice) => payment(500_000_000n, { to: invoice.depositAddress }));
    await reconcileBatch(seen, batched);
    expect(batched.reads).toBe(2);
    expect(batched.commits).toBe(10);
    const { deps } = reconcileDeps(alone);
    for (const s of seen) await reconcileTransfer(s, deps);
    // Alone: per sighting one read of transfer and address together, then one of the invoice.
    expect(alone.reads).toBe(20);
    expect([...batched.invoices.values()]).toEqual([...alone.invoices.values()]);
    expect([...batched.transfers.values()]).toEqual([...alone.transfers.values()]);

    // The confirmer's final sightings, hinted: one request for the batch, receipts numbered 1..10 without a race.
    const finals = seen.map((s, i) => {
      const invoice = invoices[i] as (typeof invoices)[number];
      return again(s, { final: true, hint: { invoiceId: invoice.id, ministry: invoice.ministry } });
    });
    const readsBefore = batched.reads;
    await reconcileBatch(finals, batched);
    expect(batched.reads - readsBefore).toBe(1);
    expect(batched.commits).toBe(20);
    expect(batched.heads.get('AFSA')?.lastNo).toBe(10);
  });

  it('lets the records of one batch that pay the same invoice read what the previous one wrote', async () => {
    const memory = new MemoryReconcileStore();
    const invoice = openInvoice();
    memory.addInvoice(invoice);
    const halves = [payment(250_000_000n, { final: true }), payment(250_000_000n, { final: true })];
    await reconcileBatch(halves, memory);
    expect(memory.commits).toBe(2);
    expect(memory.invoices.get(invoice.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500_000_000n, version: 2 });
    expect(memory.heads.get(invoice.ministry)?.lastNo).toBe(1);
  });

  it('forgets what a write from outside the batch made stale, and the retry reads the store', async () => {
    const memory = new MemoryReconcileStore();
    const invoice = openInvoice();
    memory.addInvoice(invoice);
    const mine = payment(250_000_000n, { final: true });
    const store = new BatchReadStore(memory);
    await store.prefetch([keysOf(mine)]);
    // Another consumer pays the other half after the batch was read.
    const { deps } = reconcileDeps(memory);
    await reconcileTransfer(payment(250_000_000n, { final: true }), deps);
    const commitsBefore = memory.commits;
    await reconcileTransfer(mine, { ...deps, store });
    expect(memory.commits - commitsBefore).toBe(1);
    expect(memory.invoices.get(invoice.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500_000_000n });
    expect(memory.heads.get(invoice.ministry)?.lastNo).toBe(1);
  });

  it('ignores a hint naming an invoice the sighting is not for, though it read it', async () => {
    const memory = new MemoryReconcileStore();
    const invoice = openInvoice();
    memory.addInvoice(invoice);
    const other = anInvoice({
      id: 'inv_OTHEROTHEROTHEROTHER01',
      depositAddress: '0x000000000000000000000000000000000000dEaD',
    });
    memory.addInvoice(other);
    const seen = payment(500_000_000n, { hint: { invoiceId: other.id, ministry: other.ministry } });
    await reconcileBatch([seen], memory);
    expect(memory.invoices.get(invoice.id)).toMatchObject({ status: 'processing', pendingMicroUsd: 500_000_000n });
    expect(memory.invoices.get(other.id)).toMatchObject({ status: 'open', pendingMicroUsd: 0n });
  });
});
