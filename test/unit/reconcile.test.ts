import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invoiceIssuedEntry, transferFinalEntry, trialBalance } from '../../shared/domain/journal';
import {
  applyToInvoice,
  decide,
  type InvoiceBalance,
  matchTransfer,
  type TransferRecord,
} from '../../shared/domain/reconcile';
import type { TransferObserved } from '../../shared/domain/transfers';

const H1 = `0x${'a'.repeat(64)}`;
const H2 = `0x${'b'.repeat(64)}`;

function sighting(overrides: Partial<TransferObserved> = {}): TransferObserved {
  return {
    chainId: 31337,
    token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    txHash: `0x${'1'.repeat(64)}`,
    logIndex: 0,
    blockNumber: 10,
    blockHash: H1,
    from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    to: '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c',
    amount: '1000000',
    removed: false,
    source: 'alchemy',
    observedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

function record(overrides: Partial<TransferRecord> = {}): TransferRecord {
  return {
    state: 'seen',
    blockHash: H1,
    blockNumber: 10,
    removedBlockHashes: [],
    invoiceId: 'inv_x',
    microUsd: 1_000_000n,
    firstSeenAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

describe('decide', () => {
  it('records a first sighting as seen (pending credit) or final (paid credit)', () => {
    expect(decide(undefined, sighting(), true)).toEqual({
      kind: 'record',
      state: 'seen',
      creditPending: true,
      creditFinal: false,
    });
    expect(decide(undefined, sighting({ final: true }), true)).toEqual({
      kind: 'record',
      state: 'final',
      creditPending: false,
      creditFinal: true,
    });
    expect(decide(undefined, sighting(), false)).toMatchObject({ creditPending: false });
    expect(decide(undefined, sighting({ removed: true }), true)).toMatchObject({
      state: 'reverted',
      creditPending: false,
    });
  });

  it('treats repeats as no-ops and finality, removal and moves as changes', () => {
    expect(decide(record(), sighting(), true).kind).toBe('none');
    expect(decide(record(), sighting({ final: true }), true).kind).toBe('finalize');
    expect(decide(record(), sighting({ removed: true }), true).kind).toBe('revert');
    expect(decide(record(), sighting({ blockHash: H2 }), true)).toEqual({ kind: 'move', finalNow: false });
    expect(decide(record({ state: 'final' }), sighting({ final: true }), true).kind).toBe('none');
    expect(decide(record({ state: 'final' }), sighting({ removed: true }), true).kind).toBe('incident');
    expect(decide(record({ state: 'final' }), sighting({ blockHash: H2 }), true).kind).toBe('none');
    expect(decide(record({ state: 'final' }), sighting({ blockHash: H2, final: true }), true).kind).toBe('incident');
  });

  it('ignores a late "added" in a removed block, and re-includes a reverted transfer mined again', () => {
    const reverted = record({ state: 'reverted', removedBlockHashes: [H1] });
    expect(decide(reverted, sighting(), true).kind).toBe('none');
    expect(decide(reverted, sighting({ blockHash: H2 }), true)).toEqual({ kind: 'reinclude', state: 'seen' });
    expect(decide(reverted, sighting({ removed: true }), true).kind).toBe('none');
    expect(decide(record(), sighting({ removed: true, blockHash: H2 }), true).kind).toBe('note-removed');
  });

  it('falls back on another block it was seen in when its block is removed, unless that one was removed too', () => {
    // Seen in H2 (mined again after a reorg), then moved back to H1 by a late sighting, then H1 is removed.
    const movedBack = record({ previousBlocks: [{ blockHash: H2, blockNumber: 13 }] });
    expect(decide(movedBack, sighting({ removed: true }), true)).toEqual({
      kind: 'fall-back',
      blockHash: H2,
      blockNumber: 13,
    });
    expect(decide({ ...movedBack, removedBlockHashes: [H2] }, sighting({ removed: true }), true).kind).toBe('revert');
  });
});

describe('matchTransfer', () => {
  const invoice = { status: 'open' as const, expiresAt: '2026-11-25T12:00:00.000Z' };
  it('matches within the late window only, never cancelled invoices or foreign tokens', () => {
    expect(matchTransfer(invoice, true, '2026-11-25T11:00:00.000Z')).toEqual({ matched: true });
    expect(matchTransfer(invoice, true, '2026-11-26T11:59:59.000Z')).toEqual({ matched: true });
    expect(matchTransfer(invoice, true, '2026-11-26T12:00:01.000Z')).toEqual({
      matched: false,
      reason: 'invoice_expired',
    });
    expect(matchTransfer({ ...invoice, status: 'cancelled' }, true, invoice.expiresAt)).toEqual({
      matched: false,
      reason: 'invoice_cancelled',
    });
    expect(matchTransfer(undefined, true, invoice.expiresAt)).toEqual({ matched: false, reason: 'unknown_address' });
    expect(matchTransfer(invoice, false, invoice.expiresAt)).toEqual({ matched: false, reason: 'token_not_accepted' });
  });
});

describe('applyToInvoice', () => {
  const base: InvoiceBalance = {
    status: 'open',
    exception: 'none',
    dueMicroUsd: 100n,
    paidMicroUsd: 0n,
    pendingMicroUsd: 0n,
    expiresAt: '2026-11-25T12:00:00.000Z',
  };
  const before = new Date('2026-11-25T11:00:00.000Z');
  const seenAt = '2026-11-25T11:00:00.000Z';

  it('walks open → processing → paid, overpaid, late, underpaid', () => {
    expect(applyToInvoice(base, { pendingDelta: 50n, paidDelta: 0n, firstSeenAt: seenAt }, before).status).toBe(
      'processing',
    );
    expect(applyToInvoice(base, { pendingDelta: 0n, paidDelta: 100n, firstSeenAt: seenAt }, before)).toMatchObject({
      status: 'paid',
      exception: 'none',
      becamePaid: true,
    });
    expect(applyToInvoice(base, { pendingDelta: 0n, paidDelta: 150n, firstSeenAt: seenAt }, before)).toMatchObject({
      status: 'paid',
      exception: 'overpaid',
      overpaidMicroUsd: 50n,
    });
    const after = new Date('2026-11-25T13:00:00.000Z');
    expect(
      applyToInvoice(base, { pendingDelta: 0n, paidDelta: 100n, firstSeenAt: '2026-11-25T12:30:00.000Z' }, after),
    ).toMatchObject({ status: 'paid', exception: 'late' });
    const partly = { ...base, status: 'processing' as const, paidMicroUsd: 40n, pendingMicroUsd: 10n };
    expect(applyToInvoice(partly, { pendingDelta: -10n, paidDelta: 0n, firstSeenAt: seenAt }, after)).toMatchObject({
      status: 'expired',
      exception: 'underpaid',
    });
    expect(
      applyToInvoice(
        { ...base, status: 'processing', pendingMicroUsd: 50n },
        { pendingDelta: -50n, paidDelta: 0n, firstSeenAt: seenAt },
        before,
      ).status,
    ).toBe('open');
  });

  it('keeps a paid invoice paid; extra money only grows the overpayment', () => {
    const paid = { ...base, status: 'paid' as const, paidMicroUsd: 100n };
    expect(applyToInvoice(paid, { pendingDelta: 0n, paidDelta: 30n, firstSeenAt: seenAt }, before)).toMatchObject({
      status: 'paid',
      becamePaid: false,
      overpaidMicroUsd: 30n,
      exception: 'overpaid',
    });
  });

  it('refuses to make a balance negative', () => {
    expect(() => applyToInvoice(base, { pendingDelta: -1n, paidDelta: 0n, firstSeenAt: seenAt }, before)).toThrow();
  });
});

describe('journal', () => {
  it('balances every entry it builds, whatever the amounts', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 20n }), (amount, owed) => {
        const entries = [
          invoiceIssuedEntry({ id: 'inv_1', ministry: 'AFSA', feeCode: 'F', dueMicroUsd: owed, at: 'x' }),
          transferFinalEntry({
            transferId: 't',
            chainId: 1,
            token: '0xabc',
            microUsd: amount,
            at: 'x',
            matched: { invoiceId: 'inv_1', ministry: 'AFSA', stillOwedMicroUsd: owed },
          }),
          transferFinalEntry({
            transferId: 'u',
            chainId: 1,
            token: '0xabc',
            microUsd: amount,
            at: 'x',
            unmatchedReason: 'unknown_address',
          }),
        ];
        const { debits, credits } = trialBalance(entries);
        expect(debits).toBe(credits);
      }),
    );
  });

  it('splits a matched transfer into the receivable and an overpayment', () => {
    const e = transferFinalEntry({
      transferId: 't',
      chainId: 1,
      token: '0xABC',
      microUsd: 150n,
      at: 'x',
      matched: { invoiceId: 'inv_1', ministry: 'AFSA', stillOwedMicroUsd: 100n },
    });
    expect(e.lines).toEqual([
      { account: 'custody:1:0xabc', debit: 150n, credit: 0n },
      { account: 'receivable:inv_1', debit: 0n, credit: 100n },
      { account: 'overpayment:inv_1', debit: 0n, credit: 50n },
    ]);
  });
});
