/**
 * The trust rule's pure parts (DESIGN.md, Trust): a sighting checked against our node's transaction receipt, the
 * deep re-check's decisions, per-token sums before conversion, reopening after an annulment, the annulment's
 * journal entry and its signed document in the receipt chain.
 */
import { Wallet, zeroPadValue } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { isDeeplyFinal, localChain } from '../../shared/domain/chains';
import { transferAnnulledEntry, transferFinalEntry, trialBalance } from '../../shared/domain/journal';
import { buildReceipt, GENESIS_PREV_HASH, verifyReceipt, verifyReceiptChain } from '../../shared/domain/receipts';
import { applyUnits, decide, reopenAfterAnnulment, type TransferRecord } from '../../shared/domain/reconcile';
import { ERC20_TRANSFER_TOPIC, type TransferObserved } from '../../shared/domain/transfers';
import { checkSighting, needsVerification } from '../../shared/domain/verify-sighting';
import type { TxReceipt } from '../../shared/ports';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const FROM = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TO = '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c';
const TX = `0x${'1'.repeat(64)}`;
const BLOCK = `0x${'b'.repeat(64)}`;
const OTHER_BLOCK = `0x${'c'.repeat(64)}`;

function sighting(over: Partial<TransferObserved> = {}): TransferObserved {
  return {
    chainId: 31337,
    token: TOKEN,
    txHash: TX,
    logIndex: 2,
    blockNumber: 10,
    blockHash: BLOCK,
    from: FROM,
    to: TO,
    amount: '500000000',
    removed: false,
    source: 'alchemy',
    observedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

const topic = (address: string) => zeroPadValue(address, 32).toLowerCase();

function receipt(over: Partial<TxReceipt> = {}, log: Partial<TxReceipt['logs'][number]> = {}): TxReceipt {
  return {
    txHash: TX,
    status: 1,
    blockNumber: 10,
    blockHash: BLOCK,
    logs: [
      {
        address: TOKEN.toLowerCase(),
        topics: [ERC20_TRANSFER_TOPIC, topic(FROM), topic(TO)],
        data: zeroPadValue('0x1dcd6500', 32), // 500000000
        blockNumber: 10,
        blockHash: BLOCK,
        transactionHash: TX,
        logIndex: 2,
        removed: false,
        ...log,
      },
    ],
    ...over,
  };
}

describe('checkSighting: a hint against our node', () => {
  it('accepts a sighting that matches the log at its index', () => {
    expect(checkSighting(sighting(), receipt())).toEqual({ ok: true });
  });

  it.each([
    ['tx_not_found', sighting(), null],
    ['tx_failed', sighting(), receipt({ status: 0 })],
    ['block_mismatch', sighting(), receipt({ blockHash: OTHER_BLOCK })],
    ['block_mismatch', sighting({ blockNumber: 11 }), receipt()],
    ['log_not_found', sighting({ logIndex: 3 }), receipt()],
    ['not_a_transfer', sighting(), receipt({}, { topics: [ERC20_TRANSFER_TOPIC, topic(FROM)] })],
    ['token_mismatch', sighting(), receipt({}, { address: '0x00000000000000000000000000000000deadbeef' })],
    ['from_mismatch', sighting({ from: TO }), receipt()],
    ['to_mismatch', sighting({ to: FROM }), receipt()],
    ['amount_mismatch', sighting({ amount: (2n ** 256n - 1n).toString() }), receipt()],
    ['amount_mismatch', sighting({ amount: '500000001' }), receipt()],
  ] as const)('rejects %s', (reason, seen, txReceipt) => {
    expect(checkSighting(seen, txReceipt)).toMatchObject({ ok: false, reason });
  });

  it('lets the chain decide a removal: confirmed when gone or elsewhere, rejected while still in that block', () => {
    expect(checkSighting(sighting({ removed: true }), null)).toEqual({ ok: true });
    expect(checkSighting(sighting({ removed: true }), receipt({ blockHash: OTHER_BLOCK }))).toEqual({ ok: true });
    expect(checkSighting(sighting({ removed: true }), receipt())).toMatchObject({
      ok: false,
      reason: 'still_on_chain',
    });
  });

  it('checks every provider, never our own readers', () => {
    for (const source of ['alchemy', 'moralis', 'quicknode', 'emulator'] as const) {
      expect(needsVerification({ source })).toBe(true);
    }
    expect(needsVerification({ source: 'scanner' })).toBe(false);
    expect(needsVerification({ source: 'confirmer' })).toBe(false);
  });
});

function final(over: Partial<TransferRecord> = {}): TransferRecord {
  return {
    state: 'final',
    blockHash: BLOCK,
    blockNumber: 10,
    removedBlockHashes: [],
    invoiceId: 'inv_x',
    microUsd: 500_000_000n,
    firstSeenAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

describe('the deep re-check after finality', () => {
  it('settles a final transfer still there and annuls one that is gone', () => {
    const confirmer = { source: 'confirmer' as const, deep: true };
    expect(decide(final(), sighting({ ...confirmer, final: true }), true)).toEqual({ kind: 'settle' });
    expect(decide(final(), sighting({ ...confirmer, removed: true }), true).kind).toBe('annul');
    // Once settled or annulled, a repeat changes nothing.
    expect(decide(final({ deepCheckedAt: 'x' }), sighting({ ...confirmer, removed: true }), true).kind).toBe('none');
    expect(decide(final({ state: 'reverted' }), sighting({ ...confirmer, removed: true }), true).kind).toBe('none');
    expect(decide(undefined, sighting({ ...confirmer, removed: true }), true).kind).toBe('none');
  });

  it('never honours `deep` from a provider, and a provider removal of a final transfer stays an incident', () => {
    expect(decide(final(), sighting({ deep: true, removed: true }), true).kind).toBe('none');
    expect(decide(final(), sighting({ removed: true }), true).kind).toBe('incident');
  });

  it('is due at twice the finality depth, or 64 blocks under the finalized tag', () => {
    const local = localChain([], 3);
    expect(isDeeplyFinal(local, 10, { head: 14 })).toBe(false);
    expect(isDeeplyFinal(local, 10, { head: 15 })).toBe(true);
    expect(isDeeplyFinal({ ...local, deepCheckBlocks: 20 }, 10, { head: 15 })).toBe(false);
    const tagged = { ...local, finality: { kind: 'tag' as const, tag: 'finalized' as const } };
    expect(isDeeplyFinal(tagged, 10, { head: 500, finalizedBlock: 73 })).toBe(false);
    expect(isDeeplyFinal(tagged, 10, { head: 500, finalizedBlock: 74 })).toBe(true);
    expect(isDeeplyFinal(tagged, 10, { head: 500, finalizedBlock: null })).toBe(false);
  });
});

describe('exact sums: base units per token before conversion', () => {
  it('pays 500 USD with 249999999999999999999 + 250000000000000000001 wei of an 18-decimal token', () => {
    const first = applyUnits({}, '56:usdc', 18, { pending: 0n, paid: 249_999_999_999_999_999_999n });
    expect(first.paidDelta).toBe(249_999_999n);
    const second = applyUnits(first.units, '56:usdc', 18, { pending: 0n, paid: 250_000_000_000_000_000_001n });
    expect(second.paidDelta).toBe(250_000_001n);
    expect(first.paidDelta + second.paidDelta).toBe(500_000_000n);
    expect(second.units['56:usdc']).toEqual({ pending: 0n, paid: 500n * 10n ** 18n });
  });

  it('moves units from pending to paid without losing the remainder, and refuses to go negative', () => {
    const seen = applyUnits({}, 'k', 18, { pending: 10n ** 12n - 1n, paid: 0n });
    expect([seen.pendingDelta, seen.paidDelta]).toEqual([0n, 0n]);
    const more = applyUnits(seen.units, 'k', 18, { pending: 1n, paid: 0n });
    expect(more.pendingDelta).toBe(1n);
    const final = applyUnits(more.units, 'k', 18, { pending: -(10n ** 12n), paid: 10n ** 12n });
    expect([final.pendingDelta, final.paidDelta]).toEqual([-1n, 1n]);
    expect(() => applyUnits({}, 'k', 6, { pending: -1n, paid: 0n })).toThrow(/negative/);
  });
});

describe('reopening after an annulment', () => {
  const paid = {
    status: 'paid' as const,
    exception: 'none' as const,
    dueMicroUsd: 500_000_000n,
    paidMicroUsd: 500_000_000n,
    pendingMicroUsd: 0n,
    expiresAt: '2026-12-01T09:00:00.000Z',
    receiptId: 'rcp_x',
  };
  const now = new Date('2026-12-01T12:00:00.000Z');

  it('reopens for the missing amount, moving a passed expiry forward', () => {
    const outcome = reopenAfterAnnulment(paid, -500_000_000n, now, '2026-12-02T12:00:00.000Z');
    expect(outcome).toMatchObject({
      status: 'open',
      paidMicroUsd: 0n,
      becamePaid: false,
      expiresAt: '2026-12-02T12:00:00.000Z',
    });
    const partly = reopenAfterAnnulment(paid, -200_000_000n, now, '2026-12-02T12:00:00.000Z');
    expect(partly).toMatchObject({ status: 'processing', paidMicroUsd: 300_000_000n });
  });

  it('stays paid (a replacement receipt is due) when what remains still covers the due amount', () => {
    const over = { ...paid, paidMicroUsd: 800_000_000n, exception: 'overpaid' as const };
    expect(reopenAfterAnnulment(over, -300_000_000n, now, 'x')).toMatchObject({
      status: 'paid',
      exception: 'none',
      overpaidMicroUsd: 0n,
      becamePaid: true,
    });
    expect(() => reopenAfterAnnulment(paid, 1n, now, 'x')).toThrow();
  });
});

describe('the annulment in the journal', () => {
  it('reverses the final entry: overpayment first, then the receivable; suspense for an unmatched transfer', () => {
    const common = { transferId: 't', chainId: 1, token: TOKEN, at: '2026-12-01T12:00:00.000Z' };
    const credited = transferFinalEntry({
      ...common,
      microUsd: 600n,
      matched: { invoiceId: 'i', ministry: 'AFSA', stillOwedMicroUsd: 500n },
    });
    const annulled = transferAnnulledEntry({
      ...common,
      microUsd: 600n,
      n: 1,
      matched: { invoiceId: 'i', ministry: 'AFSA', overpaidMicroUsd: 100n },
    });
    expect(annulled.entryId).toBe('t:annulled:1');
    const net = new Map<string, bigint>();
    for (const e of [credited, annulled])
      for (const l of e.lines) net.set(l.account, (net.get(l.account) ?? 0n) + l.debit - l.credit);
    expect([...net.values()].every((v) => v === 0n)).toBe(true);
    const suspense = transferAnnulledEntry({ ...common, microUsd: 7n, n: 2, unmatchedReason: 'unknown_address' });
    expect(trialBalance([suspense])).toEqual({ debits: 7n, credits: 7n });
    // Mined again after an annulment, the transfer's final entry gets a new id.
    expect(transferFinalEntry({ ...common, microUsd: 1n, annulled: 1 }).entryId).toBe('t:final:2');
  });
});

describe('the signed annulment', () => {
  const signer = new LocalKeySigner(Wallet.createRandom().privateKey);
  const base = {
    receiptNo: '1',
    receiptId: 'rcp_AAAAAAAAAAAAAAAAAAAAAA',
    invoiceId: 'inv_AAAAAAAAAAAAAAAAAAAAAA',
    ministry: 'AFSA',
    feeCode: 'AFSA-APP-AI',
    payer: { bin: '940140000385', name: 'Firm', kod: '17' },
    fee: { currency: 'USD' as const, minor: '50000' },
    quote: { source: 'fixed' as const },
    dueMicroUsd: '500000000',
    paidMicroUsd: '500000000',
    overpaidMicroUsd: '0',
    exception: 'none' as const,
    payments: [
      {
        chainId: 31337,
        token: TOKEN,
        txHash: TX,
        logIndex: 2,
        blockNumber: 10,
        amount: '500000000',
        decimals: 6,
        microUsd: '500000000',
      },
    ],
    paidAt: '2026-12-01T10:00:00.000Z',
    issuedAt: '2026-12-01T10:00:00.000Z',
  };

  it('joins the chain as its own signed type, naming the receipt it annuls', async () => {
    const receipt = await buildReceipt(base, GENESIS_PREV_HASH, signer);
    const annulment = await buildReceipt(
      {
        ...base,
        receiptNo: '2',
        receiptId: 'ann_AAAAAAAAAAAAAAAAAAAAAA.1',
        paidMicroUsd: '0',
        kind: 'annulment',
        annuls: receipt.receiptId,
        reason: 'payment gone',
        issuedAt: '2026-12-01T11:00:00.000Z',
      },
      receipt.hash,
      signer,
    );
    expect(annulment.typedData.primaryType).toBe('Annulment');
    expect(verifyReceipt(annulment, await signer.address())).toEqual({ ok: true });
    expect(verifyReceiptChain([receipt, annulment], { expectedSigner: await signer.address() })).toEqual([]);
    // What it annuls is signed: changing it breaks the signature.
    const forged = { ...annulment, annuls: 'rcp_BBBBBBBBBBBBBBBBBBBBBB' };
    expect(verifyReceipt(forged).ok).toBe(false);
    // A receipt cannot carry an annulment's fields, nor an annulment lack them.
    await expect(buildReceipt({ ...base, annuls: 'x' }, GENESIS_PREV_HASH, signer)).rejects.toThrow(/annulment/);
    await expect(buildReceipt({ ...base, kind: 'annulment' }, GENESIS_PREV_HASH, signer)).rejects.toThrow(/annul/);
  });
});
