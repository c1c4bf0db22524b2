/**
 * The in-memory reconcile store is only worth its unit tests if it answers as the DynamoDB one does: the same
 * sequence of sightings — a payment seen and final (receipt), a later overpayment, a third payment, then the first
 * one gone after finality (annulment and replacement receipt) — goes through the use case once against moto and once
 * in memory, and transfers, invoice, chain documents and chain head must read back equal. One sighting carries the
 * confirmer's hint, so the one-request read (readSighting) is compared too.
 */
import { describe, expect, it } from 'vitest';
import type { TransferObserved } from '../../shared/domain/transfers';
import { transferId } from '../../shared/domain/transfers';
import type { ReconcileStore } from '../../shared/ports';
import { useMoto } from '../helpers/moto';
import { MemoryReconcileStore } from '../support/memory-reconcile-store';
import { again, openInvoice, payment, reconcileDeps } from '../support/reconcile-fixtures';

await useMoto();
const { dynamoReconcileStore } = await import('../../shared/adapters/dynamo/reconcile-store');
const { createInvoice } = await import('../../shared/adapters/dynamo/invoices');
const { reconcileTransfer } = await import('../../shared/app/reconcile-transfer');

const invoice = openInvoice({ id: 'inv_PARITYPARITYPARITYPA01', expiresAt: '2026-12-01T10:30:00.000Z' });
const first = payment(300_000_000n, { final: true });
// The second comes with the confirmer's hint: transfer, invoice and chain head read in one BatchGetItem.
const second = payment(300_000_000n, {
  final: true,
  hint: { invoiceId: 'inv_PARITYPARITYPARITYPA01', ministry: 'AFSA' },
});
const third = payment(300_000_000n, { final: true });
const sequence: TransferObserved[] = [
  { ...first, final: false },
  first,
  second,
  third,
  again(first, { removed: true, deep: true }),
];

async function run(store: ReconcileStore) {
  const { deps } = reconcileDeps(store as MemoryReconcileStore, '2026-12-01T12:00:00.000Z');
  for (const seen of sequence) await reconcileTransfer(seen, { ...deps, store });
  const read = await store.getInvoice(invoice.id);
  const documents = await Promise.all(
    ['rcp_PARITYPARITYPARITYPA01', 'ann_PARITYPARITYPARITYPA01.1', 'rcp_PARITYPARITYPARITYPA01.2'].map(async (id) => {
      const stored = await store.getChainDocument(id);
      return stored?.receipt;
    }),
  );
  return {
    invoice: read,
    transfers: await Promise.all(
      [first, second, third].map(
        async (t) => (await store.readSighting({ transferId: transferId(t), address: t.to })).transfer,
      ),
    ),
    documents,
    head: await store.receiptChainHead(invoice.ministry),
  };
}

describe('the in-memory reconcile store', () => {
  it('reads back what the DynamoDB store reads back after the same sightings', async () => {
    await createInvoice(invoice);
    const memory = new MemoryReconcileStore();
    memory.addInvoice(invoice);
    const inDynamo = await run(dynamoReconcileStore);
    const inMemory = await run(memory);
    expect(inDynamo.invoice).toMatchObject({ status: 'paid', receiptId: 'rcp_PARITYPARITYPARITYPA01.2' });
    expect(inDynamo.documents.every(Boolean)).toBe(true);
    expect(inMemory).toEqual(inDynamo);
  });
});
