/**
 * The reconcile use case against the in-memory store port: what a sighting writes, in one commit, and what goes to
 * the outbox — no DynamoDB, no queue.
 */
import { describe, expect, it } from 'vitest';
import { reconcileTransfer } from '../../shared/app/reconcile-transfer';
import { trialBalance } from '../../shared/domain/journal';
import { verifyReceipt, verifyReceiptChain } from '../../shared/domain/receipts';
import { type TransferObserved, transferId } from '../../shared/domain/transfers';
import { ConcurrentChangeError } from '../../shared/ports';
import { anInvoice } from '../support/invoices';
import { MemoryReconcileStore } from '../support/memory-reconcile-store';
import { again, DEPOSIT, openInvoice, payment, reconcileDeps, TOKEN } from '../support/reconcile-fixtures';

function setup() {
  const wired = reconcileDeps();
  const invoice = openInvoice();
  wired.store.addInvoice(invoice);
  return { ...wired, invoice };
}

describe('reconcileTransfer', () => {
  it('credits a seen payment as pending, then pays the invoice at finality with a signed receipt sent to the outbox', async () => {
    const { store, deps, outbox, unwatched, invoice, signer } = setup();
    const seen = payment(500_000_000n);
    expect(await reconcileTransfer(seen, deps)).toMatchObject({ change: 'record', invoiceId: invoice.id });
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'processing', pendingMicroUsd: 500_000_000n });
    expect(outbox).toEqual([]);

    const result = await reconcileTransfer(again(seen, { final: true }), deps);
    expect(result).toMatchObject({ change: 'finalize', receiptId: 'rcp_AAAAAAAAAAAAAAAAAAAAAA' });
    const paid = store.invoices.get(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', paidMicroUsd: 500_000_000n, pendingMicroUsd: 0n, version: 2 });
    expect(paid?.payments).toHaveLength(1);
    const receipt = store.documents.get(result.receiptId as string)?.receipt;
    expect(receipt && verifyReceipt(receipt, await signer.address())).toEqual({ ok: true });
    expect(store.heads.get('AFSA')).toEqual({ lastNo: 1, lastHash: receipt?.hash });
    expect(outbox).toEqual([expect.objectContaining({ receiptId: result.receiptId, ministry: 'AFSA' })]);
    expect(unwatched).toEqual([DEPOSIT]);
    expect(trialBalance(store.journal.values())).toEqual({ debits: 500_000_000n, credits: 500_000_000n });
  });

  it('changes nothing on a repeat sighting, and only notes a new reporting source', async () => {
    const { store, deps, invoice } = setup();
    const seen = payment(200_000_000n);
    await reconcileTransfer(seen, deps);
    const commits = store.commits;
    expect(await reconcileTransfer(seen, deps)).toMatchObject({ change: 'none' });
    expect(await reconcileTransfer({ ...seen, source: 'alchemy' }, deps)).toMatchObject({ change: 'none' });
    expect(store.commits).toBe(commits);
    expect(store.transfers.get(transferId(seen))?.sources).toEqual(['scanner', 'alchemy']);
    expect(store.invoices.get(invoice.id)?.pendingMicroUsd).toBe(200_000_000n);
  });

  it('puts money to an address that is not ours in suspense, and ignores a foreign token to a foreign address', async () => {
    const { store, deps } = setup();
    const stranger = payment(1_000_000n, { to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' });
    expect(await reconcileTransfer(stranger, deps)).toMatchObject({ change: 'record' });
    expect(store.transfers.get(transferId(stranger))).toMatchObject({ unmatchedReason: 'unknown_address' });
    const spam = payment(1n, { to: stranger.to, token: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' });
    expect(await reconcileTransfer(spam, deps)).toEqual({ transferId: transferId(spam), change: 'none' });
    expect(store.transfers.has(transferId(spam))).toBe(false);
  });

  it('reverts the pending credit when the block is removed, and credits again when the transfer is mined anew', async () => {
    const { store, deps, invoice } = setup();
    const seen = payment(500_000_000n);
    await reconcileTransfer(seen, deps);
    expect(await reconcileTransfer(again(seen, { removed: true }), deps)).toMatchObject({ change: 'revert' });
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'open', pendingMicroUsd: 0n });
    const reincluded = again(seen, { blockHash: `0x${'c'.repeat(64)}`, blockNumber: 101, final: true });
    expect(await reconcileTransfer(reincluded, deps)).toMatchObject({ change: 'reinclude' });
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500_000_000n });
  });

  it('raises an incident, never a rewrite, when a final transfer is reported removed', async () => {
    const { store, deps, invoice } = setup();
    const seen = payment(500_000_000n, { final: true });
    await reconcileTransfer(seen, deps);
    expect(await reconcileTransfer(again(seen, { removed: true }), deps)).toMatchObject({ change: 'incident' });
    expect(store.incidents).toEqual([
      expect.objectContaining({ kind: 'reorg-after-final', transferId: transferId(seen) }),
    ]);
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500_000_000n });
  });

  it('reads and decides again after losing a race, and gives up with the error after ten tries', async () => {
    const { store, deps, invoice } = setup();
    let races = 2;
    store.beforeCommit = () => {
      if (races-- > 0) {
        const current = store.invoices.get(invoice.id);
        if (current) store.invoices.set(invoice.id, { ...current, version: current.version + 1 });
      }
    };
    expect(await reconcileTransfer(payment(100_000_000n), deps)).toMatchObject({ change: 'record' });
    expect(store.commits).toBe(1);

    store.beforeCommit = () => {
      throw new ConcurrentChangeError();
    };
    await expect(reconcileTransfer(payment(100_000_000n), deps)).rejects.toBeInstanceOf(ConcurrentChangeError);
  });

  it('numbers receipts of one ministry gaplessly across invoices, each linked to the one before', async () => {
    const { store, deps, signer } = setup();
    const second = openInvoice({
      id: 'inv_BBBBBBBBBBBBBBBBBBBBBB',
      depositAddress: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    });
    store.addInvoice(second);
    await reconcileTransfer(payment(500_000_000n, { final: true }), deps);
    await reconcileTransfer(payment(500_000_000n, { final: true, to: second.depositAddress }), deps);
    const receipts = [...store.documents.values()].map((d) => d.receipt);
    expect(receipts.map((r) => r.receiptNo)).toEqual(['1', '2']);
    expect(verifyReceiptChain(receipts, { expectedSigner: await signer.address() })).toEqual([]);
  });

  it('mends an outbox send a crash left undone, on the redelivery of the sighting', async () => {
    const { store, deps, outbox, invoice } = setup();
    const crashing = {
      ...deps,
      fault: (step: string) => {
        if (step === 'after-commit') throw new Error('crash');
      },
    };
    const seen = payment(500_000_000n, { final: true });
    await expect(reconcileTransfer(seen, crashing)).rejects.toThrow('crash');
    const receiptId = store.invoices.get(invoice.id)?.receiptId as string;
    expect(outbox).toEqual([]);
    // The same sighting again from another source is not a redelivery: it follows no crash and sends nothing.
    await reconcileTransfer({ ...seen, source: 'moralis' }, deps);
    expect(outbox).toEqual([]);
    await reconcileTransfer(seen, { ...deps, redelivered: true });
    expect(outbox.map((m) => m.receiptId)).toEqual([receiptId]);
    // Once the publisher has had it, a redelivery sends nothing more.
    const stored = store.documents.get(receiptId);
    if (stored) stored.attempts = 1;
    await reconcileTransfer(seen, { ...deps, redelivered: true });
    expect(outbox.map((m) => m.receiptId)).toEqual([receiptId]);
  });

  it('reads transfer, invoice and chain head in one request when the sighting names them, and ignores a false hint', async () => {
    const { store, deps, invoice } = setup();
    const seen = payment(500_000_000n);
    await reconcileTransfer(seen, deps);
    const readsBefore = store.reads;
    const hint = { invoiceId: invoice.id, ministry: invoice.ministry };
    const result = await reconcileTransfer(again(seen, { final: true, hint }), deps);
    expect(result).toMatchObject({ change: 'finalize', receiptId: expect.any(String) });
    expect(store.reads - readsBefore).toBe(1);

    // A hint naming another invoice (and ministry) is checked against what is read, and ignored.
    const other = anInvoice({
      id: 'inv_BBBBBBBBBBBBBBBBBBBBBB',
      ministry: 'MINFIN',
      depositAddress: '0x000000000000000000000000000000000000dEaD',
    });
    store.addInvoice(other);
    const second = payment(100_000_000n, { logIndex: 7 });
    const misled = await reconcileTransfer({ ...second, hint: { invoiceId: other.id, ministry: 'MINFIN' } }, deps);
    expect(misled).toMatchObject({ change: 'record', invoiceId: invoice.id });
    expect(store.invoices.get(other.id)).toMatchObject({ status: 'open', pendingMicroUsd: 0n });
  });

  it("hands a sighting that would issue a receipt to its ministry's sequence, and commits everything else itself", async () => {
    const { store, deps, invoice, outbox } = setup();
    const sequenced: { seen: TransferObserved; ministry: string }[] = [];
    const standard = {
      ...deps,
      sequence: async (seen: TransferObserved, ministry: string) => void sequenced.push({ seen, ministry }),
    };
    const half = payment(250_000_000n);
    expect(await reconcileTransfer(half, standard)).toMatchObject({ change: 'record' });
    expect(await reconcileTransfer(again(half, { final: true }), standard)).toMatchObject({ change: 'finalize' });
    expect(sequenced).toEqual([]);

    const rest = payment(250_000_000n, { final: true });
    const versionBefore = store.invoices.get(invoice.id)?.version;
    expect(await reconcileTransfer(rest, standard)).toMatchObject({ change: 'sequenced', invoiceId: invoice.id });
    // Nothing written: the sequence's consumer reads and decides again, with the hint for its one-request read.
    expect(store.invoices.get(invoice.id)?.version).toBe(versionBefore);
    expect(store.transfers.has(transferId(rest))).toBe(false);
    expect(sequenced).toEqual([
      { seen: { ...rest, hint: { invoiceId: invoice.id, ministry: 'AFSA' } }, ministry: 'AFSA' },
    ]);
    const inSequence = await reconcileTransfer(sequenced[0]?.seen as TransferObserved, deps);
    expect(inSequence).toMatchObject({ change: 'record', receiptId: expect.any(String) });
    expect(outbox).toHaveLength(1);
  });

  it('signs into the receipt the versions the invoice was priced with (none for an invoice priced before them)', async () => {
    const { store, deps, signer } = reconcileDeps();
    const versioned = openInvoice({ pricedWith: { fee: 'chg_afsa-fee-2026' } });
    store.addInvoice(versioned);
    const paid = await reconcileTransfer(payment(500_000_000n, { final: true }), deps);
    const receipt = store.documents.get(paid.receiptId as string)?.receipt;
    expect(receipt?.pricedWith).toEqual({ fee: 'chg_afsa-fee-2026' });
    expect(receipt?.typedData.message).toMatchObject({ feeVersion: 'chg_afsa-fee-2026', mrpVersion: '' });
    expect(receipt && verifyReceipt(receipt, await signer.address())).toEqual({ ok: true });

    const before = reconcileDeps();
    before.store.addInvoice(openInvoice());
    const old = await reconcileTransfer(payment(500_000_000n, { final: true }), before.deps);
    const unversioned = before.store.documents.get(old.receiptId as string)?.receipt;
    expect(unversioned).not.toHaveProperty('pricedWith');
    expect(unversioned?.typedData.types.Receipt?.map((f) => f.name)).not.toContain('feeVersion');
    expect(unversioned && verifyReceipt(unversioned, await before.signer.address())).toEqual({ ok: true });
  });

  it('sums 18-decimal parts in base units before converting, so two halves pay exactly', async () => {
    const wired = reconcileDeps(new MemoryReconcileStore());
    const dai = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
    const chain = { ...wired.deps.chains[0], tokens: [{ address: dai, symbol: 'DAI', decimals: 18 }] };
    const deps = { ...wired.deps, chains: [chain as (typeof wired.deps.chains)[number]] };
    const invoice = openInvoice({ dueMicroUsd: 1n });
    wired.store.addInvoice(invoice);
    await reconcileTransfer(payment(500_000_000_000n, { token: dai, final: true }), deps);
    await reconcileTransfer(payment(500_000_000_000n, { token: dai, final: true }), deps);
    expect(wired.store.invoices.get(invoice.id)).toMatchObject({ status: 'paid', paidMicroUsd: 1n });
  });

  describe('sweep candidates (forwarder deposit addresses)', () => {
    function forwarderSetup(overrides: Parameters<typeof openInvoice>[0] = {}) {
      const wired = reconcileDeps();
      const invoice = openInvoice({ depositScheme: 'forwarder', ...overrides });
      wired.store.addInvoice(invoice);
      return { ...wired, invoice };
    }

    it('marks the address sweepable in the commit that makes the transfer final, not before; money sits in deposit:', async () => {
      const { store, deps, invoice } = forwarderSetup();
      const seen = payment(500_000_000n);
      await reconcileTransfer(seen, deps);
      expect(store.sweepCandidates.size).toBe(0);
      const commits = store.commits;
      await reconcileTransfer(again(seen, { final: true }), deps);
      expect(store.commits).toBe(commits + 1);
      expect([...store.sweepCandidates.values()]).toEqual([
        expect.objectContaining({
          chainId: 31337,
          address: DEPOSIT,
          invoiceId: invoice.id,
          transferId: transferId(seen),
        }),
      ]);
      const final = store.journal.get(`${transferId(seen)}:final`);
      expect(final?.lines[0]).toMatchObject({ account: `deposit:31337:${TOKEN.toLowerCase()}`, debit: 500_000_000n });
    });

    it('marks a payment to a cancelled forwarder invoice too (ours to sweep, in suspense), even when it turns final later', async () => {
      const { store, deps, invoice } = forwarderSetup({ status: 'cancelled' });
      const seen = payment(7_000_000n);
      await reconcileTransfer(seen, deps);
      expect(store.transfers.get(transferId(seen))).toMatchObject({
        unmatchedReason: 'invoice_cancelled',
        forwarderInvoiceId: invoice.id,
      });
      await reconcileTransfer(again(seen, { final: true }), deps);
      expect([...store.sweepCandidates.values()]).toEqual([expect.objectContaining({ invoiceId: invoice.id })]);
    });

    it('ignores money leaving a deposit address (a sweep to custody reported by a provider): never new money', async () => {
      const wired = reconcileDeps();
      const chains = wired.deps.chains.map((c) => ({
        ...c,
        depositFactory: '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853',
      }));
      const deps = { ...wired.deps, chains };
      wired.store.addInvoice(openInvoice({ depositScheme: 'forwarder' }));
      const custody = '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199';
      const sweep = payment(500_000_000n, { from: DEPOSIT, to: custody, final: true });
      expect(await reconcileTransfer(sweep, deps)).toEqual({ transferId: transferId(sweep), change: 'none' });
      expect(wired.store.transfers.size).toBe(0);
      expect(wired.store.journal.size).toBe(0);
      // Money to an unknown address from anyone else is still suspense.
      const stranger = payment(1_000_000n, { to: custody });
      expect(await reconcileTransfer(stranger, deps)).toMatchObject({ change: 'record' });
    });

    it('marks nothing for an xpub invoice; its money is at custody: as before', async () => {
      const { store, deps } = setup();
      const seen = payment(500_000_000n, { final: true });
      await reconcileTransfer(seen, deps);
      expect(store.sweepCandidates.size).toBe(0);
      expect(store.journal.get(`${transferId(seen)}:final`)?.lines[0]?.account).toMatch(/^custody:/);
    });
  });
});
