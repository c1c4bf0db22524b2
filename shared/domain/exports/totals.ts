/**
 * The manifest's totals, computed from the CSV rows themselves (header name → cell). The export worker feeds each
 * row it writes; the offline verifier feeds each row it reads; both must arrive at the same JSON. Memory is
 * bounded by the number of distinct currencies, tokens, states and ministries, never by the row count.
 */
import type { ExportCsvName } from './columns';

export type Row = Readonly<Record<string, string>>;

interface MoneySums {
  rows: number;
  [key: string]: number | string;
}

export interface ReceiptChainSegment {
  /** The lowest receiptNo in the file and its prevHash: the anchor the segment starts from. */
  firstNo: string;
  firstPrevHash: string;
  /** The highest receiptNo in the file and its hash: the head a dropped last receipt would no longer reach. */
  lastNo: string;
  lastHash: string;
  rows: number;
}

export interface ExportTotals {
  invoices: {
    rows: number;
    byStatus: Record<string, number>;
    /** Per fee currency (USD, KZT, MRP): fee amounts in minor units (cents, tiyn, MRP hundredths) and micro-USD. */
    byFeeCurrency: Record<string, MoneySums>;
  };
  transfers: {
    rows: number;
    /** Per state (seen, final, reverted) and match: rows and micro-USD. */
    byState: Record<string, MoneySums>;
    /** Per `chainId:token`: rows and base units per state. */
    byToken: Record<string, MoneySums>;
  };
  receipts: {
    rows: number;
    dueMicroUsd: string;
    paidMicroUsd: string;
    overpaidMicroUsd: string;
    byException: Record<string, number>;
  };
  journal: { entries: number; lines: number };
  sweeps: {
    /** Rows: one per address of each sweep. */
    rows: number;
    /** Per sweep state (submitted, final, failed): rows and micro-USD swept. */
    byState: Record<string, MoneySums>;
  };
  refunds: {
    rows: number;
    /**
     * Per refund state (requested, approved, instructed, completed, rejected): rows and micro-USD.
     * `completed.microUsd` is what the refunds in the file returned.
     */
    byState: Record<string, MoneySums>;
    /** Per `chainId:token` (lower-case): rows and base units per state (`completedUnits`, `requestedUnits`, …). */
    byToken: Record<string, MoneySums>;
  };
  compliance: {
    rows: number;
    /** Per action (register-upload, list-change, hold, release, reject): rows and the micro-USD they concern. */
    byAction: Record<string, MoneySums>;
  };
  /** The custodian's settlement lines: per fiat currency rows, fiat and fee minor units; per `chainId:token` units. */
  settlements?: { rows: number; byCurrency: Record<string, MoneySums>; byToken: Record<string, MoneySums> };
  /** Bank entries: per `currency:direction`, rows and minor units. */
  bank?: { rows: number; byCurrency: Record<string, MoneySums> };
  /** Reconciliation: lines per status, exceptions per reason, matched fiat per `kbk:currency`. */
  reconciliation?: {
    rows: number;
    byStatus: Record<string, number>;
    byReason: Record<string, number>;
    byKbk: Record<string, MoneySums>;
  };
}

export interface TrialBalance {
  debits: string;
  credits: string;
}

const add = (a: string | number | undefined, b: string): string => (BigInt(a ?? 0) + BigInt(b || '0')).toString();
function slot<T>(map: Record<string, T>, key: string, init: () => T): T {
  const found = map[key];
  if (found !== undefined) return found;
  const created = init();
  map[key] = created;
  return created;
}

const ordinal = (s: string): bigint => (/^\d+$/.test(s) ? BigInt(s) : -1n);

/**
 * What an accumulator has summed so far, as plain JSON (money as decimal strings): the part of an export's
 * checkpoint that lets the next segment, in another invocation, carry on summing where this one stopped.
 */
export interface TotalsState {
  totals: ExportTotals;
  receiptChains: Record<string, ReceiptChainSegment>;
  debits: string;
  credits: string;
  problems: string[];
}

/** Accumulates totals, trial balance and receipt chain segments over rows; reports rows it cannot account for. */
export class TotalsAccumulator {
  readonly totals: ExportTotals;
  readonly receiptChains: Record<string, ReceiptChainSegment>;
  #debits: bigint;
  #credits: bigint;
  #entry: { id: string; debits: bigint; credits: bigint } | undefined;
  /** Unbalanced journal entries and malformed amounts, in file order. */
  readonly problems: string[];

  /** A new accumulator, or one carrying on from `state` (a previous segment's {@link TotalsAccumulator.state}). */
  constructor(state?: TotalsState) {
    const from = state ? structuredClone(state) : undefined;
    this.totals = from?.totals ?? {
      invoices: { rows: 0, byStatus: {}, byFeeCurrency: {} },
      transfers: { rows: 0, byState: {}, byToken: {} },
      receipts: { rows: 0, dueMicroUsd: '0', paidMicroUsd: '0', overpaidMicroUsd: '0', byException: {} },
      journal: { entries: 0, lines: 0 },
      sweeps: { rows: 0, byState: {} },
      refunds: { rows: 0, byState: {}, byToken: {} },
      compliance: { rows: 0, byAction: {} },
    };
    this.receiptChains = from?.receiptChains ?? {};
    this.#debits = BigInt(from?.debits ?? 0);
    this.#credits = BigInt(from?.credits ?? 0);
    this.problems = from?.problems ?? [];
  }

  /**
   * The sums so far, closing the current journal entry: call it only between journal entries (an export segment
   * ends between days, and an entry's lines are written together).
   */
  state(): TotalsState {
    this.#closeEntry();
    return structuredClone({
      totals: this.totals,
      receiptChains: this.receiptChains,
      debits: this.#debits.toString(),
      credits: this.#credits.toString(),
      problems: this.problems,
    });
  }

  add(file: ExportCsvName, row: Row): void {
    try {
      if (file === 'invoices.csv') this.#invoice(row);
      else if (file === 'transfers.csv') this.#transfer(row);
      else if (file === 'receipts.csv') this.#receipt(row);
      else if (file === 'sweeps.csv') this.#sweep(row);
      else if (file === 'refunds.csv') this.#refund(row);
      else if (file === 'settlements.csv' || file === 'bank.csv' || file === 'reconciliation.csv') {
        settlementTotals(this.totals, file, row);
      } else if (file === 'compliance.csv') this.#compliance(row);
      else this.#journal(row);
    } catch (error) {
      this.problems.push(`${file}: row with unreadable amounts (${(error as Error).message})`);
    }
  }

  /** Closes the last journal entry; call once after the last row. */
  finish(): { totals: ExportTotals; trialBalance: TrialBalance; receiptChains: Record<string, ReceiptChainSegment> } {
    this.#closeEntry();
    return {
      totals: this.totals,
      trialBalance: { debits: this.#debits.toString(), credits: this.#credits.toString() },
      receiptChains: this.receiptChains,
    };
  }

  #invoice(r: Row) {
    const t = this.totals.invoices;
    t.rows++;
    const status = r.status ?? '';
    t.byStatus[status] = (t.byStatus[status] ?? 0) + 1;
    const currency = r.fee_currency ?? '';
    const c = slot(t.byFeeCurrency, currency, () => ({
      rows: 0,
      feeAmountMinor: '0',
      dueMicroUsd: '0',
      paidMicroUsd: '0',
      pendingMicroUsd: '0',
      overpaidMicroUsd: '0',
    }));
    c.rows++;
    c.feeAmountMinor = add(c.feeAmountMinor, r.fee_amount_minor ?? '');
    c.dueMicroUsd = add(c.dueMicroUsd, r.due_micro_usd ?? '');
    c.paidMicroUsd = add(c.paidMicroUsd, r.paid_micro_usd ?? '');
    c.pendingMicroUsd = add(c.pendingMicroUsd, r.pending_micro_usd ?? '');
    c.overpaidMicroUsd = add(c.overpaidMicroUsd, r.overpaid_micro_usd ?? '');
  }

  #transfer(r: Row) {
    const t = this.totals.transfers;
    t.rows++;
    const stateKey = `${r.state}:${r.match}`;
    const s = slot(t.byState, stateKey, () => ({ rows: 0, microUsd: '0' }));
    s.rows++;
    s.microUsd = add(s.microUsd, r.micro_usd ?? '');
    const tokenKey = `${r.chain_id}:${(r.token ?? '').toLowerCase()}`;
    const k = slot(t.byToken, tokenKey, () => ({
      rows: 0,
      symbol: r.token_symbol ?? '',
      decimals: r.token_decimals ?? '',
      seenUnits: '0',
      finalUnits: '0',
      revertedUnits: '0',
    }));
    k.rows++;
    const field = `${r.state}Units`;
    k[field] = add(k[field], r.amount_units ?? '');
  }

  #receipt(r: Row) {
    const t = this.totals.receipts;
    t.rows++;
    t.dueMicroUsd = add(t.dueMicroUsd, r.due_micro_usd ?? '');
    t.paidMicroUsd = add(t.paidMicroUsd, r.paid_micro_usd ?? '');
    t.overpaidMicroUsd = add(t.overpaidMicroUsd, r.overpaid_micro_usd ?? '');
    const exception = r.exception ?? '';
    t.byException[exception] = (t.byException[exception] ?? 0) + 1;
    const ministry = r.ministry ?? '';
    const no = r.receipt_no ?? '';
    const seg = this.receiptChains[ministry];
    if (!seg) {
      this.receiptChains[ministry] = {
        firstNo: no,
        firstPrevHash: r.prev_hash ?? '',
        lastNo: no,
        lastHash: r.hash ?? '',
        rows: 1,
      };
      return;
    }
    seg.rows++;
    if (ordinal(no) < ordinal(seg.firstNo)) {
      seg.firstNo = no;
      seg.firstPrevHash = r.prev_hash ?? '';
    }
    if (ordinal(no) > ordinal(seg.lastNo)) {
      seg.lastNo = no;
      seg.lastHash = r.hash ?? '';
    }
  }

  #sweep(r: Row) {
    const t = this.totals.sweeps;
    t.rows++;
    const s = slot(t.byState, r.state ?? '', () => ({ rows: 0, microUsd: '0' }));
    s.rows++;
    s.microUsd = add(s.microUsd, r.micro_usd ?? '');
  }

  #refund(r: Row) {
    const t = this.totals.refunds;
    t.rows++;
    const s = slot(t.byState, r.state ?? '', () => ({ rows: 0, microUsd: '0' }));
    s.rows++;
    s.microUsd = add(s.microUsd, r.micro_usd ?? '');
    const k = slot(t.byToken, `${r.chain_id}:${(r.token ?? '').toLowerCase()}`, (): MoneySums => ({ rows: 0 }));
    k.rows++;
    const field = `${r.state}Units`;
    k[field] = add(k[field], r.amount_units ?? '');
  }

  #compliance(r: Row) {
    const t = this.totals.compliance;
    t.rows++;
    const a = slot(t.byAction, r.action ?? '', () => ({ rows: 0, microUsd: '0' }));
    a.rows++;
    a.microUsd = add(a.microUsd, r.micro_usd ?? '');
  }

  #journal(r: Row) {
    const t = this.totals.journal;
    t.lines++;
    const debit = BigInt(r.debit_micro_usd || '0');
    const credit = BigInt(r.credit_micro_usd || '0');
    this.#debits += debit;
    this.#credits += credit;
    const id = r.entry_id ?? '';
    if (this.#entry?.id !== id) {
      this.#closeEntry();
      t.entries++;
      this.#entry = { id, debits: 0n, credits: 0n };
    }
    const entry = this.#entry as { id: string; debits: bigint; credits: bigint };
    entry.debits += debit;
    entry.credits += credit;
  }

  #closeEntry() {
    const e = this.#entry;
    if (e && e.debits !== e.credits) {
      this.problems.push(
        `journal.csv: entry ${e.id} is unbalanced (debits ${e.debits} micro-USD, credits ${e.credits} micro-USD)`,
      );
    }
    this.#entry = undefined;
  }
}

/** Adds a settlement file's row to the totals (sections created on first use, so older manifests read the same). */
function settlementTotals(totals: ExportTotals, file: 'settlements.csv' | 'bank.csv' | 'reconciliation.csv', r: Row) {
  if (file === 'settlements.csv') {
    if (!totals.settlements) totals.settlements = { rows: 0, byCurrency: {}, byToken: {} };
    const t = totals.settlements;
    t.rows++;
    const c = slot(t.byCurrency, r.fiat_currency ?? '', (): MoneySums => ({ rows: 0, fiatMinor: '0', feeMinor: '0' }));
    c.rows++;
    c.fiatMinor = add(c.fiatMinor, r.fiat_amount_minor ?? '');
    c.feeMinor = add(c.feeMinor, r.fee_amount_minor ?? '');
    const k = slot(
      t.byToken,
      `${r.chain_id}:${(r.token ?? '').toLowerCase()}`,
      (): MoneySums => ({ rows: 0, units: '0' }),
    );
    k.rows++;
    k.units = add(k.units, r.token_amount_units ?? '');
  } else if (file === 'bank.csv') {
    if (!totals.bank) totals.bank = { rows: 0, byCurrency: {} };
    const t = totals.bank;
    t.rows++;
    const c = slot(t.byCurrency, `${r.currency}:${r.direction}`, (): MoneySums => ({ rows: 0, minor: '0' }));
    c.rows++;
    c.minor = add(c.minor, r.amount_minor ?? '');
  } else {
    if (!totals.reconciliation) totals.reconciliation = { rows: 0, byStatus: {}, byReason: {}, byKbk: {} };
    const t = totals.reconciliation;
    t.rows++;
    if (r.record === 'exception') {
      const reason = r.reasons ?? '';
      t.byReason[reason] = (t.byReason[reason] ?? 0) + 1;
      return;
    }
    const status = r.status ?? '';
    t.byStatus[status] = (t.byStatus[status] ?? 0) + 1;
    if (status !== 'matched' || !r.kbk) return;
    const k = slot(t.byKbk, `${r.kbk}:${r.fiat_currency}`, (): MoneySums => ({ rows: 0, fiatMinor: '0' }));
    k.rows++;
    k.fiatMinor = add(k.fiatMinor, r.fiat_amount_minor ?? '');
  }
}
