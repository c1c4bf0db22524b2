/**
 * Three-way reconciliation of settlement (DESIGN.md, "Settlement"): custody outflows read from the chain ↔ the
 * custodian's settlement lines (by chain and `txHash`) ↔ bank credits (by `bankReference`). Pure: the use case reads
 * the stored facts and the chain, this decides. Nothing here is stored or edited by hand: the same facts give the
 * same result.
 *
 * Per settlement line: the token amount, the custodian's rate and fee, the fiat amount, the NBK rate of the value
 * date and the FX variance against it (`tokenAmount × (rate − NBK rate)`, in fiat minor units), and either
 * `matched` or the reasons it is an exception. Unmatched outflows and credits are exceptions too. Matched budget
 * revenue is totalled per KBK; the journal carries custody → custodian receivable → bank, with the custodian's fee
 * and the FX gain or loss, in micro-USD at the NBK rate.
 */
import { getAddress } from 'ethers';
import type { BankEntry } from './bank-statements';
import type { JournalEntry, JournalLine } from './journal';
import { formatDecimal, MICRO_USD_PER_CENT, parseDecimal, pow10, tokenUnitsToMicroUsd } from './money';
import { FIAT_DECIMALS, grossFiatMinor, RATE_DECIMALS, type SettlementLine } from './settlements';

/** A token transfer out of a custody account, read from our own node. */
export interface CustodyOutflow {
  chainId: number;
  /** EIP-55. */
  token: string;
  tokenDecimals: number;
  /** Lower-case. */
  txHash: string;
  logIndex: number;
  blockNumber: number;
  from: string;
  to: string;
  amount: bigint;
  /** The Kazakhstan calendar day of its block. */
  day: string;
}

export const exceptionReasons = [
  'no_settlement',
  'no_custody_outflow',
  'no_bank_credit',
  'no_settlement_line',
  'amount_mismatch',
  'rate_outside_tolerance',
  'no_nbk_rate',
  'duplicate_reference',
] as const;
export type ExceptionReason = (typeof exceptionReasons)[number];

/** Something unmatched or inconsistent, with what it is and why. */
export interface ReconciliationException {
  reason: ExceptionReason;
  detail: string;
  chainId?: number;
  txHash?: string;
  batchId?: string;
  line?: number;
  bankReference?: string;
  messageId?: string;
  entryNo?: number;
}

/** The NBK USD/KZT rate in force on a value date (undefined: none stored). */
export type NbkRateOf = (day: string) => { rate: string; rateDate: string } | undefined;

/** One settlement line, reconciled. */
export interface ReconciledLine {
  line: SettlementLine;
  outflow?: { amount: bigint; blockNumber: number };
  credit?: BankEntry;
  nbkRate?: string;
  nbkRateDate?: string;
  /** Fiat minor units: `tokenAmount × (rate − NBK rate)`; positive when the custodian's rate was better. */
  fxVariance?: bigint;
  reasons: ExceptionReason[];
}

export interface KbkTotal {
  kbk: string;
  currency: string;
  lines: number;
  fiatAmount: bigint;
}

export interface SettlementReconciliation {
  from: string;
  to: string;
  lines: ReconciledLine[];
  exceptions: ReconciliationException[];
  kbkTotals: KbkTotal[];
  journal: JournalEntry[];
  /** Custody outflows that completed refunds to payers: money returned, not converted (no settlement expected). */
  refundOutflows: CustodyOutflow[];
}

/** How far a custodian's rate may stray from the NBK rate of the value date, in basis points (default 2 %). */
export const DEFAULT_RATE_TOLERANCE_BP = 200n;

export interface ReconcileInput {
  from: string;
  to: string;
  outflows: readonly CustodyOutflow[];
  lines: readonly SettlementLine[];
  entries: readonly BankEntry[];
  nbkRate: NbkRateOf;
  toleranceBp?: bigint;
  /** `chainId:txHash` of the transactions that completed refunds (custody → payer). */
  refundTxs?: ReadonlySet<string>;
}

const outflowKey = (chainId: number, txHash: string) => `${chainId}:${txHash.toLowerCase()}`;

/** Reconciles the period's facts. */
export function reconcileSettlement(input: ReconcileInput): SettlementReconciliation {
  const exceptions: ReconciliationException[] = [];
  const isRefund = (o: CustodyOutflow) => input.refundTxs?.has(outflowKey(o.chainId, o.txHash)) ?? false;
  const outflows = outflowsByTx(input.outflows.filter((o) => !isRefund(o)));
  const credits = creditsByReference(input.entries.filter((e) => e.direction === 'credit'));
  const linesByTx = groupBy(input.lines, (l) => outflowKey(l.chainId, l.txHash));
  const linesByRef = groupBy(input.lines, (l) => l.bankReference);
  const reconciled = input.lines.map((line) => {
    const item: ReconciledLine = { line, reasons: [] };
    const add = (reason: ExceptionReason, detail: string, extra: Partial<ReconciliationException> = {}) => {
      if (!item.reasons.includes(reason)) item.reasons.push(reason);
      exceptions.push({ reason, detail, ...lineRef(line), ...extra });
    };
    checkOutflow(item, outflows, linesByTx, add);
    checkCredit(item, credits, linesByRef, add);
    checkRate(item, input.nbkRate, input.toleranceBp ?? DEFAULT_RATE_TOLERANCE_BP, add);
    return item;
  });
  for (const [key, outflow] of outflows) {
    if (!linesByTx.has(key)) {
      exceptions.push({
        reason: 'no_settlement',
        detail: `custody sent ${outflow.amount} base units of ${outflow.token} on ${outflow.day}; no settlement line names it`,
        chainId: outflow.chainId,
        txHash: outflow.txHash,
      });
    }
  }
  exceptions.push(...unexpectedCredits(input.entries, linesByRef));
  const matched = reconciled.filter((r) => r.reasons.length === 0);
  return {
    from: input.from,
    to: input.to,
    lines: reconciled,
    exceptions,
    kbkTotals: kbkTotals(matched),
    journal: reconciled.flatMap(settlementJournal),
    refundOutflows: input.outflows.filter(isRefund),
  };
}

function lineRef(line: SettlementLine): Partial<ReconciliationException> {
  return {
    chainId: line.chainId,
    txHash: line.txHash,
    batchId: line.batchId,
    line: line.line,
    bankReference: line.bankReference,
  };
}

type Add = (reason: ExceptionReason, detail: string, extra?: Partial<ReconciliationException>) => void;

/** Outflows summed per transaction (a transaction may move a token in several logs). */
function outflowsByTx(outflows: readonly CustodyOutflow[]): Map<string, CustodyOutflow> {
  const out = new Map<string, CustodyOutflow>();
  for (const o of outflows) {
    const key = outflowKey(o.chainId, o.txHash);
    const seen = out.get(key);
    if (seen && getAddress(seen.token) === getAddress(o.token))
      out.set(key, { ...seen, amount: seen.amount + o.amount });
    else if (!seen) out.set(key, { ...o });
  }
  return out;
}

function creditsByReference(credits: readonly BankEntry[]): Map<string, BankEntry[]> {
  const out = new Map<string, BankEntry[]>();
  for (const credit of credits) {
    for (const ref of credit.references) out.set(ref, [...(out.get(ref) ?? []), credit]);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

function checkOutflow(
  item: ReconciledLine,
  outflows: Map<string, CustodyOutflow>,
  byTx: Map<string, SettlementLine[]>,
  add: Add,
) {
  const { line } = item;
  const key = outflowKey(line.chainId, line.txHash);
  const others = (byTx.get(key) ?? []).filter((l) => l !== line);
  if (others.length) {
    const where = others.map((l) => `batch ${l.batchId} line ${l.line}`).join(', ');
    add('duplicate_reference', `transaction ${line.txHash} is also settled by ${where}`);
  }
  const outflow = outflows.get(key);
  if (!outflow) {
    add(
      'no_custody_outflow',
      `no transfer out of custody in transaction ${line.txHash} on chain ${line.chainId} in the period`,
    );
    return;
  }
  item.outflow = { amount: outflow.amount, blockNumber: outflow.blockNumber };
  if (getAddress(outflow.token) !== getAddress(line.token) || outflow.amount !== line.tokenAmount) {
    add(
      'amount_mismatch',
      `the line says ${line.tokenAmount} base units of ${line.token}; custody sent ${outflow.amount} of ${outflow.token}`,
    );
  }
}

function checkCredit(
  item: ReconciledLine,
  credits: Map<string, BankEntry[]>,
  byRef: Map<string, SettlementLine[]>,
  add: Add,
) {
  const { line } = item;
  const found = unique(credits.get(line.bankReference) ?? []);
  if (found.length === 0) {
    add('no_bank_credit', `no bank credit with reference ${line.bankReference}`);
    return;
  }
  if (found.length > 1) {
    add('duplicate_reference', `${found.length} bank credits carry reference ${line.bankReference}`);
    return;
  }
  const credit = found[0] as BankEntry;
  item.credit = credit;
  const group = byRef.get(line.bankReference) ?? [line];
  const expected = group.reduce((sum, l) => sum + l.fiatAmount, 0n);
  const fmt = (v: bigint) => formatDecimal(v, FIAT_DECIMALS);
  if (credit.currency !== line.fiatCurrency || credit.amount !== expected) {
    add(
      'amount_mismatch',
      `the bank credited ${fmt(credit.amount)} ${credit.currency}; the settlement says ${fmt(expected)} ${line.fiatCurrency}`,
      { messageId: credit.messageId, entryNo: credit.entryNo },
    );
  }
}

const unique = (entries: BankEntry[]) => [...new Set(entries)];

function checkRate(item: ReconciledLine, nbkRate: NbkRateOf, toleranceBp: bigint, add: Add) {
  const { line } = item;
  const reference = line.fiatCurrency === 'USD' ? { rate: '1', rateDate: line.valueDate } : nbkRate(line.valueDate);
  if (!reference) {
    add('no_nbk_rate', `no NBK USD/KZT rate stored for ${line.valueDate} or the week before`);
    return;
  }
  item.nbkRate = reference.rate;
  item.nbkRateDate = reference.rateDate;
  const stated = parseDecimal(line.rate, RATE_DECIMALS, 'rate');
  const official = parseDecimal(reference.rate, RATE_DECIMALS, 'rate');
  item.fxVariance =
    grossFiatMinor(line.tokenAmount, line.tokenDecimals, line.rate) -
    grossFiatMinor(line.tokenAmount, line.tokenDecimals, reference.rate);
  const deviation = stated > official ? stated - official : official - stated;
  if (deviation * 10_000n > official * toleranceBp) {
    add(
      'rate_outside_tolerance',
      `rate ${line.rate} is more than ${formatDecimal(toleranceBp, 2)} % from the NBK rate ${reference.rate} of ${reference.rateDate}`,
    );
  }
}

function unexpectedCredits(
  entries: readonly BankEntry[],
  byRef: Map<string, SettlementLine[]>,
): ReconciliationException[] {
  return entries
    .filter((e) => e.direction === 'credit' && !e.references.some((r) => byRef.has(r)))
    .map((e) => ({
      reason: 'no_settlement_line' as const,
      detail: `credit of ${formatDecimal(e.amount, FIAT_DECIMALS)} ${e.currency} on ${e.valueDate} (${e.references.join(', ') || 'no reference'}) matches no settlement line`,
      messageId: e.messageId,
      entryNo: e.entryNo,
      ...(e.references[0] ? { bankReference: e.references[0] } : {}),
    }));
}

function kbkTotals(matched: readonly ReconciledLine[]): KbkTotal[] {
  const totals = new Map<string, KbkTotal>();
  for (const { line, credit } of matched) {
    const kbk = line.kbk ?? credit?.kbk;
    if (!kbk) continue;
    const key = `${kbk}:${line.fiatCurrency}`;
    const total = totals.get(key) ?? { kbk, currency: line.fiatCurrency, lines: 0, fiatAmount: 0n };
    totals.set(key, { ...total, lines: total.lines + 1, fiatAmount: total.fiatAmount + line.fiatAmount });
  }
  return [...totals.values()].sort((a, b) => a.kbk.localeCompare(b.kbk) || a.currency.localeCompare(b.currency));
}

/** Fiat minor units as micro-USD at `rate` (fiat per USD), rounded half up; USD cents convert exactly. */
export function fiatMinorToMicroUsd(minor: bigint, currency: string, rate: string): bigint {
  if (currency === 'USD') return minor * MICRO_USD_PER_CENT;
  const scaled = parseDecimal(rate, RATE_DECIMALS, 'rate');
  const numerator = minor * MICRO_USD_PER_CENT * pow10(RATE_DECIMALS) * 2n;
  return (numerator + scaled) / (scaled * 2n);
}

const dr = (account: string, amount: bigint): JournalLine => ({ account, debit: amount, credit: 0n });
const cr = (account: string, amount: bigint): JournalLine => ({ account, debit: 0n, credit: amount });

/**
 * A line's journal entries: the outflow moves the tokens' worth from custody to the custodian's receivable; the bank
 * credit, once it matches, clears the receivable into the bank account, the custodian's fee and the FX gain or loss
 * (all at the NBK rate of the value date). Ids follow from the line, so the entries are the same every time.
 */
export function settlementJournal(item: ReconciledLine): JournalEntry[] {
  const { line } = item;
  if (!item.outflow || item.reasons.includes('duplicate_reference')) return [];
  const id = `settlement:${line.chainId}:${line.txHash}`;
  const receivable = `custodian-receivable:${line.batchId}`;
  const worth = tokenUnitsToMicroUsd(item.outflow.amount, line.tokenDecimals).microUsd;
  const at = `${line.valueDate}T00:00:00.000Z`;
  const base = { at, transferId: `${line.chainId}:${line.txHash}` };
  const entries: JournalEntry[] = [
    {
      ...base,
      entryId: `${id}:outflow`,
      kind: 'settlement-outflow',
      lines: [dr(receivable, worth), cr(`custody:${line.chainId}:${line.token}`, worth)],
    },
  ];
  if (!item.credit || !item.nbkRate || item.reasons.includes('amount_mismatch')) return entries;
  const bank = fiatMinorToMicroUsd(line.fiatAmount, line.fiatCurrency, item.nbkRate);
  const fee = fiatMinorToMicroUsd(line.feeAmount, line.fiatCurrency, item.nbkRate);
  const fx = worth - bank - fee;
  const lines = [
    dr(`bank:${item.credit.account}:${line.fiatCurrency}`, bank),
    dr('fees:custodian', fee),
    fx >= 0n ? dr('fx:gain-loss', fx) : cr('fx:gain-loss', -fx),
    cr(receivable, worth),
  ].filter((l) => l.debit !== 0n || l.credit !== 0n);
  entries.push({ ...base, entryId: `${id}:credit`, kind: 'settlement-credit', lines });
  return entries;
}

/** Whether every entry balances and the whole journal's debits equal its credits. */
export function journalBalanced(entries: readonly JournalEntry[]): boolean {
  return entries.every((e) => {
    const debit = e.lines.reduce((s, l) => s + l.debit, 0n);
    const credit = e.lines.reduce((s, l) => s + l.credit, 0n);
    return debit === credit;
  });
}

const fiat = (v: bigint) => formatDecimal(v, FIAT_DECIMALS);

/** The reconciliation as the API answers it: amounts as decimal strings (token amounts in base units). */
export function reconciliationToWire(r: SettlementReconciliation) {
  const matched = r.lines.filter((l) => l.reasons.length === 0);
  return {
    from: r.from,
    to: r.to,
    summary: {
      lines: r.lines.length,
      matched: matched.length,
      exceptions: r.exceptions.length,
      journalBalanced: journalBalanced(r.journal),
      refundOutflows: r.refundOutflows.length,
    },
    items: r.lines.map((item) => ({
      status: item.reasons.length === 0 ? 'matched' : 'exception',
      reasons: item.reasons,
      batchId: item.line.batchId,
      line: item.line.line,
      chainId: item.line.chainId,
      token: item.line.token,
      txHash: item.line.txHash,
      tokenAmount: item.line.tokenAmount.toString(),
      outflowAmount: item.outflow?.amount.toString() ?? null,
      fiatCurrency: item.line.fiatCurrency,
      fiatAmount: fiat(item.line.fiatAmount),
      feeAmount: fiat(item.line.feeAmount),
      rate: item.line.rate,
      nbkRate: item.nbkRate ?? null,
      nbkRateDate: item.nbkRateDate ?? null,
      fxVariance: item.fxVariance === undefined ? null : fiat(item.fxVariance),
      valueDate: item.line.valueDate,
      bankReference: item.line.bankReference,
      bankAmount: item.credit ? fiat(item.credit.amount) : null,
      bankMessageId: item.credit?.messageId ?? null,
      kbk: item.line.kbk ?? item.credit?.kbk ?? null,
    })),
    exceptions: r.exceptions,
    kbkTotals: r.kbkTotals.map((t) => ({ ...t, fiatAmount: fiat(t.fiatAmount) })),
    journal: r.journal.map((e) => ({
      ...e,
      lines: e.lines.map((l) => ({ account: l.account, debit: l.debit.toString(), credit: l.credit.toString() })),
    })),
  };
}
