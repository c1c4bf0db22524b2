import { describe, expect, it } from 'vitest';
import { reconcilePeriod } from '../../shared/app/settlement-reconciliation';
import type { BankEntry } from '../../shared/domain/bank-statements';
import { journalBalanced, reconciliationToWire } from '../../shared/domain/settlement-reconciliation';
import type { SettlementLine } from '../../shared/domain/settlements';
import { MemoryChain } from '../support/memory-chain';
import { MemoryRateStore } from '../support/memory-rates';
import { linearClock, MemorySettlementStore } from '../support/memory-settlements';
import { CHAIN, TOKEN } from '../support/reconcile-fixtures';

const CUSTODY = '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199';
const CUSTODIAN_DESK = '0xdD2FD4581271e230360230F9337D5c0430Bf44C0';
const DAY_START = Date.parse('2026-11-30T00:00:00+05:00') / 1000;

function line(txHash: string, overrides: Partial<SettlementLine> = {}): SettlementLine {
  return {
    batchId: 'B1',
    line: 2,
    chainId: 31337,
    token: TOKEN,
    txHash,
    tokenAmount: 3_000_000_000n,
    tokenDecimals: 6,
    fiatCurrency: 'KZT',
    fiatAmount: 148_150_000n,
    rate: '495.5',
    feeAmount: 500_000n,
    valueDate: '2026-11-30',
    bankReference: 'REF-1',
    kbk: '108125',
    ...overrides,
  };
}

function credit(reference: string, amount: bigint, overrides: Partial<BankEntry> = {}): BankEntry {
  return {
    messageId: 'M1',
    statementId: 'S1',
    account: 'KZ86125KZT5004100100',
    entryNo: 1,
    txNo: 1,
    direction: 'credit',
    currency: 'KZT',
    amount,
    valueDate: '2026-11-30',
    references: [reference],
    ...overrides,
  };
}

async function setup() {
  const chain = new MemoryChain(10);
  const first = chain.transfer(TOKEN, CUSTODY, CUSTODIAN_DESK, 3_000_000_000n);
  const second = chain.transfer(TOKEN, CUSTODY, CUSTODIAN_DESK, 1_000_000_000n);
  // Money into custody is not an outflow.
  chain.transfer(TOKEN, CUSTODIAN_DESK, CUSTODY, 7n);
  chain.mine(5);
  const store = new MemorySettlementStore();
  const rates = new MemoryRateStore().seed('2026-11-30', '494.8');
  const deps = {
    store,
    rates,
    chains: [CHAIN],
    custodyAccount: () => CUSTODY,
    rpcFor: () => chain,
    clockFor: () => linearClock(DAY_START - 60, 12),
    maxLogRange: 4,
  };
  return { chain, store, deps, first, second };
}

async function save(store: MemorySettlementStore, lines: SettlementLine[], entries: BankEntry[]) {
  const batch = { sha256: 'x', bytes: 1, objectKey: 'k', uploadedAt: 'now', uploadedBy: 'op' };
  await store.saveBatch({ ...batch, batchId: 'B1', lines: lines.length }, lines);
  await store.saveStatement({ ...batch, messageId: 'M1', entries: entries.length }, entries);
}

describe('three-way settlement reconciliation', () => {
  it('matches outflow, line and credit; reports FX variance, per-KBK totals and a balanced journal', async () => {
    const { store, deps, first, second } = await setup();
    await save(
      store,
      [
        line(first.transactionHash),
        line(second.transactionHash, {
          line: 3,
          tokenAmount: 1_000_000_000n,
          fiatAmount: 49_350_000n,
          feeAmount: 200_000n,
          bankReference: 'REF-2',
          kbk: '108125',
        }),
      ],
      [credit('REF-1', 148_150_000n), credit('REF-2', 49_350_000n, { entryNo: 2 })],
    );
    const result = await reconcilePeriod('2026-11-30', '2026-11-30', deps);
    expect(result.exceptions).toEqual([]);
    expect(result.lines.map((l) => l.reasons)).toEqual([[], []]);
    // 3000 × (495.5 − 494.8) = 2100 KZT better than the NBK rate.
    expect(result.lines[0]).toMatchObject({ nbkRate: '494.8', nbkRateDate: '2026-11-30', fxVariance: 210_000n });
    expect(result.kbkTotals).toEqual([{ kbk: '108125', currency: 'KZT', lines: 2, fiatAmount: 197_500_000n }]);
    expect(result.journal.map((e) => e.kind)).toEqual([
      'settlement-outflow',
      'settlement-credit',
      'settlement-outflow',
      'settlement-credit',
    ]);
    expect(journalBalanced(result.journal)).toBe(true);
    const wire = reconciliationToWire(result);
    expect(wire.summary).toEqual({ lines: 2, matched: 2, exceptions: 0, journalBalanced: true, refundOutflows: 0 });
    expect(wire.items[0]).toMatchObject({ status: 'matched', fiatAmount: '1481500', fxVariance: '2100' });
  });

  it('makes exactly the short credit an amount_mismatch', async () => {
    const { store, deps, first, second } = await setup();
    await save(
      store,
      [
        line(first.transactionHash),
        line(second.transactionHash, {
          line: 3,
          tokenAmount: 1_000_000_000n,
          fiatAmount: 49_350_000n,
          feeAmount: 200_000n,
          bankReference: 'REF-2',
        }),
      ],
      [credit('REF-1', 148_150_000n), credit('REF-2', 49_350_000n - 100n, { entryNo: 2 })],
    );
    const result = await reconcilePeriod('2026-11-30', '2026-11-30', deps);
    expect(result.exceptions.map((e) => [e.reason, e.bankReference])).toEqual([['amount_mismatch', 'REF-2']]);
    expect(result.lines.map((l) => l.reasons)).toEqual([[], ['amount_mismatch']]);
    expect(journalBalanced(result.journal)).toBe(true);
  });

  it('names every unmatched or inconsistent item', async () => {
    const { store, deps, first } = await setup();
    const ghost = `0x${'ab'.repeat(32)}`;
    await save(
      store,
      [
        line(first.transactionHash, { rate: '520', fiatAmount: 155_500_000n, feeAmount: 500_000n }),
        line(ghost, { line: 3, bankReference: 'REF-9' }),
        line(first.transactionHash, { line: 4, bankReference: 'REF-3', valueDate: '2026-11-30' }),
      ],
      [
        credit('REF-1', 155_500_000n),
        credit('REF-3', 148_150_000n, { entryNo: 2 }),
        credit('REF-3', 148_150_000n, { entryNo: 3 }),
        credit('STRAY', 1_000n, { entryNo: 4 }),
      ],
    );
    const result = await reconcilePeriod('2026-11-30', '2026-11-30', deps);
    const reasons = result.exceptions.map((e) => `${e.reason}:${e.line ?? e.entryNo ?? e.txHash}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'duplicate_reference:2',
        'rate_outside_tolerance:2',
        'no_custody_outflow:3',
        'no_bank_credit:3',
        'duplicate_reference:4',
        expect.stringMatching(/^no_settlement:0x/),
        'no_settlement_line:4',
      ]),
    );
    expect(result.exceptions).toHaveLength(8);
  });

  it("takes a completed refund's transfer out of custody for money returned, not an unsettled conversion", async () => {
    const { deps, second } = await setup();
    const refunds = {
      list: async () => ({
        items: [{ chainId: 31337, txHash: second.transactionHash.toUpperCase().replace('0X', '0x') }] as never[],
        nextCursor: null,
      }),
    };
    const result = await reconcilePeriod('2026-11-30', '2026-11-30', { ...deps, refunds });
    expect(result.exceptions.map((e) => [e.reason, e.txHash])).toEqual([['no_settlement', expect.any(String)]]);
    expect(result.exceptions[0]?.txHash).not.toBe(second.transactionHash);
    expect(result.refundOutflows.map((o) => o.txHash)).toEqual([second.transactionHash]);
  });

  it('leaves out outflows outside the period and not yet final', async () => {
    const { chain, deps } = await setup();
    chain.transfer(TOKEN, CUSTODY, CUSTODIAN_DESK, 5n);
    const result = await reconcilePeriod('2026-11-30', '2026-11-30', deps);
    expect(result.exceptions.filter((e) => e.reason === 'no_settlement')).toHaveLength(2);
    expect((await reconcilePeriod('2026-12-01', '2026-12-31', deps)).exceptions).toEqual([]);
  });

  it('refuses a bad period', async () => {
    const { deps } = await setup();
    await expect(reconcilePeriod('2026-12-01', '2026-11-01', deps)).rejects.toThrow(/from ≤ to/);
    await expect(reconcilePeriod('2026-01-01', '2026-12-31', deps)).rejects.toThrow(/at most 100 days/);
    await expect(reconcilePeriod('2026-02-30', '2026-03-01', deps)).rejects.toThrow(/YYYY-MM-DD/);
  });
});
