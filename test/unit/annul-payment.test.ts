/**
 * Annulment of a final payment gone at the deep re-check, through the reconcile use case and the in-memory store:
 * the signed annulment joins the ministry's chain, the invoice reopens (or is re-receipted), the journal reverses.
 */
import { describe, expect, it } from 'vitest';
import { reconcileTransfer } from '../../shared/app/reconcile-transfer';
import { trialBalance } from '../../shared/domain/journal';
import { verifyReceiptChain } from '../../shared/domain/receipts';
import { transferId } from '../../shared/domain/transfers';
import { again, DEPOSIT, openInvoice, payment, reconcileDeps } from '../support/reconcile-fixtures';

const gone = { removed: true, deep: true } as const;

function setup(at = '2026-12-01T12:00:00.000Z') {
  const wired = reconcileDeps(undefined, at);
  const invoice = openInvoice();
  wired.store.addInvoice(invoice);
  return { ...wired, invoice };
}

describe('annulPayment', () => {
  it('annuls the receipt of a payment gone after finality and reopens the invoice past its expiry', async () => {
    const { store, deps, outbox, watched, invoice, signer } = setup();
    const seen = payment(500_000_000n, { final: true });
    const paid = await reconcileTransfer(seen, deps);
    const result = await reconcileTransfer(again(seen, gone), deps);
    expect(result).toMatchObject({ change: 'annul', receiptId: 'ann_AAAAAAAAAAAAAAAAAAAAAA.1' });

    const reopened = store.invoices.get(invoice.id);
    expect(reopened).toMatchObject({ status: 'open', paidMicroUsd: 0n, payments: [] });
    expect(reopened?.receiptId).toBeUndefined();
    expect(reopened?.annulments).toEqual([expect.objectContaining({ receiptId: paid.receiptId })]);
    // The expiry had passed (11:00 < 12:00): moved a late window forward, and the address watched that long.
    expect(Date.parse(reopened?.expiresAt ?? '')).toBeGreaterThan(Date.parse('2026-12-01T12:00:00.000Z'));
    expect(store.watchUntil.get(DEPOSIT.toLowerCase())).toBe(reopened?.expiresAt);
    expect(watched).toEqual([DEPOSIT]);

    const chain = [...store.documents.values()].map((d) => d.receipt);
    expect(chain.map((r) => [r.receiptNo, r.kind ?? 'receipt'])).toEqual([
      ['1', 'receipt'],
      ['2', 'annulment'],
    ]);
    expect(verifyReceiptChain(chain, { expectedSigner: await signer.address() })).toEqual([]);
    expect(outbox.map((m) => m.receiptId)).toEqual([paid.receiptId, result.receiptId]);
    expect(store.transfers.get(transferId(seen))).toMatchObject({ state: 'reverted', annulments: [expect.anything()] });
    expect(store.incidents.map((i) => i.kind)).toEqual(['final-transfer-gone']);
    const balance = trialBalance(store.journal.values());
    expect(balance.debits).toBe(balance.credits);
  });

  it('issues a replacement receipt when what remains still pays the invoice', async () => {
    const { store, deps, invoice } = setup();
    const first = payment(300_000_000n, { final: true });
    const second = payment(300_000_000n, { final: true });
    await reconcileTransfer(first, deps);
    await reconcileTransfer(second, deps);
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'paid', overpaidMicroUsd: 100_000_000n });
    // The receipt lists the first two; a third comes after it, so the rest still covers 500 when the first is gone.
    const third = payment(300_000_000n, { final: true });
    await reconcileTransfer(third, deps);
    await reconcileTransfer(again(first, gone), deps);
    const after = store.invoices.get(invoice.id);
    expect(after).toMatchObject({
      status: 'paid',
      paidMicroUsd: 600_000_000n,
      receiptId: 'rcp_AAAAAAAAAAAAAAAAAAAAAA.2',
    });
    const kinds = [...store.documents.values()].map((d) => d.receipt.kind ?? 'receipt');
    expect(kinds).toEqual(['receipt', 'annulment', 'receipt']);
  });

  it('carries the versions the invoice was priced with into the annulment and the replacement, like the receipt', async () => {
    const wired = reconcileDeps(undefined, '2026-12-01T12:00:00.000Z');
    const pricedWith = { fee: 'seed:fee:MINFIN-DUTY-APOSTILLE', mrp: 'chg_mrp-2026' };
    wired.store.addInvoice(openInvoice({ pricedWith }));
    const first = payment(300_000_000n, { final: true });
    await reconcileTransfer(first, wired.deps);
    await reconcileTransfer(payment(300_000_000n, { final: true }), wired.deps);
    await reconcileTransfer(payment(300_000_000n, { final: true }), wired.deps);
    await reconcileTransfer(again(first, gone), wired.deps);
    const chain = [...wired.store.documents.values()].map((d) => d.receipt);
    expect(chain.map((r) => [r.kind ?? 'receipt', r.pricedWith, r.typedData.message.feeVersion])).toEqual([
      ['receipt', pricedWith, pricedWith.fee],
      ['annulment', pricedWith, pricedWith.fee],
      ['receipt', pricedWith, pricedWith.fee],
    ]);
    expect(chain[1]?.typedData.types.Annulment?.map((f) => f.name)).toContain('mrpVersion');
    expect(verifyReceiptChain(chain, { expectedSigner: await wired.signer.address() })).toEqual([]);
  });

  it('leaves the receipt standing when the payment gone came after it (an overpayment)', async () => {
    const { store, deps, invoice, outbox } = setup();
    await reconcileTransfer(payment(500_000_000n, { final: true }), deps);
    const extra = payment(50_000_000n, { final: true });
    await reconcileTransfer(extra, deps);
    const result = await reconcileTransfer(again(extra, gone), deps);
    expect(result.receiptId).toBeUndefined();
    expect(store.invoices.get(invoice.id)).toMatchObject({
      status: 'paid',
      overpaidMicroUsd: 0n,
      receiptId: 'rcp_AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(store.documents.size).toBe(1);
    expect(outbox).toHaveLength(1);
  });

  it('reverses an unmatched final transfer out of suspense, with no document', async () => {
    const { store, deps } = setup();
    const stray = payment(7_000_000n, { final: true, to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' });
    await reconcileTransfer(stray, deps);
    expect(await reconcileTransfer(again(stray, gone), deps)).toMatchObject({ change: 'annul' });
    expect(store.documents.size).toBe(0);
    const entries = [...store.journal.values()].map((e) => e.kind);
    expect(entries).toEqual(['transfer-final', 'transfer-annulled']);
  });
});
