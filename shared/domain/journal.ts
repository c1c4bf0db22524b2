/**
 * The double-entry journal, in micro-USD. Each entry is balanced by construction (debits = credits) and has a
 * deterministic id derived from what caused it, so writing it twice is impossible (the store puts it with
 * `attribute_not_exists`). Accounts:
 * - `receivable:<invoiceId>` — what a payer owes on an invoice;
 * - `revenue:<ministry>:<feeCode>` — fees earned by a ministry;
 * - `custody:<chainId>:<token>` — stablecoins at custody: received at an xpub deposit address (whose keys the
 *   custodian holds), or swept there from a forwarder;
 * - `deposit:<chainId>:<token>` — stablecoins received at forwarder deposit addresses, not yet swept (a `sweep-final`
 *   entry moves them to custody);
 * - `overpayment:<invoiceId>` — money received beyond the amount due, owed back to the payer;
 * - `suspense:<reason>` — money received that matches no invoice (unknown address, cancelled invoice, ...).
 * A final transfer gone at the deep re-check is reversed by a `transfer-annulled` entry; nothing is deleted. A
 * completed refund moves its amount out of the overpayment (or suspense) account and out of custody.
 */
import { minBigInt } from './money';

export interface JournalLine {
  account: string;
  /** Micro-USD, non-negative; exactly one of debit/credit is non-zero. */
  debit: bigint;
  credit: bigint;
}

export interface JournalEntry {
  entryId: string;
  at: string;
  /**
   * What caused it: `invoice-issued`, `transfer-final`, `invoice-cancelled`, `transfer-annulled`, `sweep-final`,
   * `refund-completed`; `settlement-outflow`, `settlement-credit` (settlement: custody → custodian receivable →
   * bank, fees and FX).
   */
  kind:
    | 'invoice-issued'
    | 'transfer-final'
    | 'invoice-cancelled'
    | 'transfer-annulled'
    | 'sweep-final'
    | 'refund-completed'
    // Derived by settlement reconciliation (shared/domain/settlement-reconciliation.ts), never stored.
    | 'settlement-outflow'
    | 'settlement-credit';
  invoiceId?: string;
  transferId?: string;
  ministry?: string;
  lines: JournalLine[];
}

function entry(e: Omit<JournalEntry, 'lines'>, lines: JournalLine[]): JournalEntry {
  const kept = lines.filter((l) => l.debit !== 0n || l.credit !== 0n);
  const debits = kept.reduce((s, l) => s + l.debit, 0n);
  const credits = kept.reduce((s, l) => s + l.credit, 0n);
  if (debits !== credits) throw new Error(`unbalanced journal entry ${e.entryId}: ${debits} != ${credits}`);
  if (kept.some((l) => l.debit < 0n || l.credit < 0n)) throw new Error(`negative line in ${e.entryId}`);
  return { ...e, lines: kept };
}

const dr = (account: string, amount: bigint): JournalLine => ({ account, debit: amount, credit: 0n });
const cr = (account: string, amount: bigint): JournalLine => ({ account, debit: 0n, credit: amount });

/** An invoice is issued: the payer owes the fee, the ministry earns it. */
export function invoiceIssuedEntry(i: {
  id: string;
  ministry: string;
  feeCode: string;
  dueMicroUsd: bigint;
  at: string;
}) {
  return entry({ entryId: `${i.id}:issued`, at: i.at, kind: 'invoice-issued', invoiceId: i.id, ministry: i.ministry }, [
    dr(`receivable:${i.id}`, i.dueMicroUsd),
    cr(`revenue:${i.ministry}:${i.feeCode}`, i.dueMicroUsd),
  ]);
}

/** An unpaid invoice is cancelled: the receivable and the revenue are reversed. */
export function invoiceCancelledEntry(i: {
  id: string;
  ministry: string;
  feeCode: string;
  dueMicroUsd: bigint;
  at: string;
}) {
  return entry(
    { entryId: `${i.id}:cancelled`, at: i.at, kind: 'invoice-cancelled', invoiceId: i.id, ministry: i.ministry },
    [dr(`revenue:${i.ministry}:${i.feeCode}`, i.dueMicroUsd), cr(`receivable:${i.id}`, i.dueMicroUsd)],
  );
}

/**
 * The account a received transfer's money sits in: `deposit:` at a forwarder deposit address until swept, else
 * `custody:`.
 */
export function receivedAccount(chainId: number, token: string, atForwarder: boolean | undefined): string {
  return `${atForwarder ? 'deposit' : 'custody'}:${chainId}:${token.toLowerCase()}`;
}

/**
 * A transfer became final. Matched: custody up, receivable down by what was still owed, the rest an overpayment.
 * Unmatched: custody up against suspense.
 */
export function transferFinalEntry(t: {
  transferId: string;
  chainId: number;
  token: string;
  microUsd: bigint;
  at: string;
  matched?: { invoiceId: string; ministry: string; stillOwedMicroUsd: bigint };
  unmatchedReason?: string;
  /** Annulments of this transfer so far: a transfer mined again after one is final again under a new entry id. */
  annulled?: number;
  /** It reached a forwarder deposit address: its money is in `deposit:` until a sweep moves it to custody. */
  atForwarder?: boolean;
}): JournalEntry {
  const custody = dr(receivedAccount(t.chainId, t.token, t.atForwarder), t.microUsd);
  const base = {
    entryId: `${t.transferId}:final${t.annulled ? `:${t.annulled + 1}` : ''}`,
    at: t.at,
    kind: 'transfer-final' as const,
    transferId: t.transferId,
  };
  if (!t.matched) return entry(base, [custody, cr(`suspense:${t.unmatchedReason ?? 'unknown'}`, t.microUsd)]);
  const owed = t.matched.stillOwedMicroUsd > 0n ? t.matched.stillOwedMicroUsd : 0n;
  const applied = t.microUsd < owed ? t.microUsd : owed;
  return entry({ ...base, invoiceId: t.matched.invoiceId, ministry: t.matched.ministry }, [
    custody,
    cr(`receivable:${t.matched.invoiceId}`, applied),
    cr(`overpayment:${t.matched.invoiceId}`, t.microUsd - applied),
  ]);
}

/**
 * A final transfer was gone at the deep re-check: the custody it added comes off again. Matched: against the
 * invoice's overpayment first (what was beyond the due amount), the rest back onto the receivable. Unmatched:
 * against its suspense account.
 */
export function transferAnnulledEntry(t: {
  transferId: string;
  chainId: number;
  token: string;
  microUsd: bigint;
  at: string;
  /** The how-manieth annulment of this transfer (1 for the first). */
  n: number;
  matched?: { invoiceId: string; ministry: string; overpaidMicroUsd: bigint };
  unmatchedReason?: string;
  /** It had reached a forwarder deposit address (its final entry debited `deposit:`). */
  atForwarder?: boolean;
}): JournalEntry {
  const custody = cr(receivedAccount(t.chainId, t.token, t.atForwarder), t.microUsd);
  const base = {
    entryId: `${t.transferId}:annulled:${t.n}`,
    at: t.at,
    kind: 'transfer-annulled' as const,
    transferId: t.transferId,
  };
  if (!t.matched) return entry(base, [dr(`suspense:${t.unmatchedReason ?? 'unknown'}`, t.microUsd), custody]);
  const fromOverpayment = minBigInt(t.microUsd, t.matched.overpaidMicroUsd);
  return entry({ ...base, invoiceId: t.matched.invoiceId, ministry: t.matched.ministry }, [
    dr(`overpayment:${t.matched.invoiceId}`, fromOverpayment),
    dr(`receivable:${t.matched.invoiceId}`, t.microUsd - fromOverpayment),
    custody,
  ]);
}

/**
/**
 * A refund's transfer from custody is final on chain: what was owed back (an invoice's overpayment, or a suspense
 * amount) is paid, and custody holds that much less. Micro-USD exact, as the transfers it returns were counted.
 */
export function refundCompletedEntry(r: {
  refundId: string;
  chainId: number;
  token: string;
  microUsd: bigint;
  at: string;
  /** The invoice whose overpayment is refunded, or the suspense transfer and its reason. */
  source: { invoiceId: string; ministry: string } | { transferId: string; unmatchedReason: string };
}): JournalEntry {
  const owed = 'invoiceId' in r.source ? `overpayment:${r.source.invoiceId}` : `suspense:${r.source.unmatchedReason}`;
  return entry(
    {
      entryId: `${r.refundId}:completed`,
      at: r.at,
      kind: 'refund-completed',
      ...('invoiceId' in r.source
        ? { invoiceId: r.source.invoiceId, ministry: r.source.ministry }
        : { transferId: r.source.transferId }),
    },
    [dr(owed, r.microUsd), cr(receivedAccount(r.chainId, r.token, false), r.microUsd)],
  );
}

/**
 * A sweep became final: what it moved from forwarder deposit addresses (micro-USD of each invoice's swept units,
 * summed) goes from `deposit:` to `custody:`. Its id is the sweep's, so it is written once.
 */
export function sweepFinalEntry(s: {
  sweepId: string;
  chainId: number;
  token: string;
  microUsd: bigint;
  at: string;
}): JournalEntry {
  return entry({ entryId: `${s.sweepId}:final`, at: s.at, kind: 'sweep-final' }, [
    dr(receivedAccount(s.chainId, s.token, false), s.microUsd),
    cr(receivedAccount(s.chainId, s.token, true), s.microUsd),
  ]);
}

/** Sum of debits and of credits over entries: a balanced journal has them equal. */
export function trialBalance(entries: Iterable<JournalEntry>): { debits: bigint; credits: bigint } {
  let debits = 0n;
  let credits = 0n;
  for (const e of entries)
    for (const l of e.lines) {
      debits += l.debit;
      credits += l.credit;
    }
  return { debits, credits };
}
