/**
 * The columns of every export CSV, and the one function per file that turns a domain record into its row. The
 * export worker writes rows with these builders and the offline verifier rebuilds receipt rows with the same
 * builder, so a display cell that disagrees with the signed receipt is caught. docs/exports.md documents each
 * column.
 *
 * Cells are strings. Money is never a JS number: micro-USD as integer decimal strings beside USD with exactly 6
 * decimals; token amounts in base units beside token units with exactly the token's decimals. Text cells are
 * neutralized against spreadsheet formula injection ({@link neutralize}); number cells are built from bigints and
 * integers only, so they never start with a formula character.
 */
import { getAddress } from 'ethers';
import type { ComplianceDecision } from '../../ports';
import { type FeeAmountWire, MRP_DECIMALS } from '../fees';
import type { QuoteInfo } from '../fx';
import { effectiveState, type Invoice } from '../invoices';
import type { JournalEntry, JournalLine } from '../journal';
import { MICRO_USD_DECIMALS, pow10, tokenUnitsToMicroUsd } from '../money';
import type { Receipt } from '../receipts';
import type { StoredTransfer } from '../reconcile';
import type { Refund } from '../refunds';
import type { Sweep, SweptAddress } from '../sweeps';

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection), and their full-width forms. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Guards a text cell against formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or CR (or a full-width
 * `＝ ＋ － ＠`) gets a leading `'`, which spreadsheets show as text and never evaluate. Idempotent on its output's
 * meaning: `'=1` stays `'=1`.
 */
export function neutralize(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export type CellKind = 'text' | 'number';

export interface Column<T> {
  name: string;
  kind: CellKind;
  value: (input: T) => string | number | bigint | undefined | null;
}

/** A CSV file of the export: its name, columns and row builder. */
export interface CsvSpec<T> {
  name: ExportCsvName;
  columns: readonly Column<T>[];
}

export const EXPORT_CSV_NAMES = [
  'invoices.csv',
  'transfers.csv',
  'receipts.csv',
  'journal.csv',
  'sweeps.csv',
  'refunds.csv',
  // Settlement (shared/domain/exports/settlement-columns.ts).
  'settlements.csv',
  'bank.csv',
  'reconciliation.csv',
  'compliance.csv',
] as const;
export type ExportCsvName = (typeof EXPORT_CSV_NAMES)[number];

/** The header of a file. */
export function headerOf<T>(spec: CsvSpec<T>): string[] {
  return spec.columns.map((c) => c.name);
}

/** The row of `input`: every cell a string, text cells neutralized. */
export function rowOf<T>(spec: CsvSpec<T>, input: T): string[] {
  return spec.columns.map((c) => {
    const v = c.value(input);
    const s = v === undefined || v === null ? '' : String(v);
    return c.kind === 'text' ? neutralize(s) : s;
  });
}

/** `units` with exactly `decimals` fraction digits (`1500000n, 6` → `"1.500000"`). Non-negative only. */
export function fixedDecimal(units: bigint, decimals: number): string {
  if (units < 0n) throw new RangeError('amount must be non-negative');
  if (decimals === 0) return units.toString();
  const scale = pow10(decimals);
  return `${units / scale}.${(units % scale).toString().padStart(decimals, '0')}`;
}

const usd = (microUsd: bigint | string) => fixedDecimal(BigInt(microUsd), MICRO_USD_DECIMALS);

/** Fee amount cells from the wire form: currency (`USD`, `KZT`, `MRP`), amount in major units, amount in minor units. */
function feeCells(fee: FeeAmountWire): { currency: string; amount: string; minor: string } {
  if ('mrp' in fee) {
    const [whole = '0', frac = ''] = fee.mrp.split('.');
    const minor = BigInt(whole) * pow10(MRP_DECIMALS) + BigInt(frac.padEnd(MRP_DECIMALS, '0') || '0');
    return { currency: 'MRP', amount: fixedDecimal(minor, MRP_DECIMALS), minor: minor.toString() };
  }
  const minor = BigInt(fee.minor);
  return { currency: fee.currency, amount: fixedDecimal(minor, 2), minor: minor.toString() };
}

function feeWireOf(invoice: Invoice): FeeAmountWire {
  const fee = invoice.fee;
  if ('mrp' in fee) return { mrp: fixedDecimal(fee.mrp, MRP_DECIMALS) };
  return { currency: fee.currency, minor: fee.minor.toString() };
}

const kzt = (tiyn?: string) => (tiyn ? fixedDecimal(BigInt(tiyn), 2) : '');

function quoteColumns<T>(quote: (x: T) => QuoteInfo): Column<T>[] {
  return [
    { name: 'quote_source', kind: 'text', value: (x) => quote(x).source },
    { name: 'quote_pair', kind: 'text', value: (x) => quote(x).pair },
    { name: 'quote_rate', kind: 'text', value: (x) => quote(x).rate },
    { name: 'quote_rate_date', kind: 'text', value: (x) => quote(x).rateDate },
    { name: 'quote_mrp_kzt', kind: 'text', value: (x) => quote(x).mrpKzt },
    { name: 'quote_kzt', kind: 'number', value: (x) => kzt(quote(x).kztMinor) },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// invoices.csv

export interface InvoiceRowInput {
  invoice: Invoice;
  /** The export's generation time: an open invoice past its expiry reads as expired, as the API shows it. */
  asOf: Date;
}

export const invoicesCsv: CsvSpec<InvoiceRowInput> = {
  name: 'invoices.csv',
  columns: [
    { name: 'invoice_id', kind: 'text', value: ({ invoice }) => invoice.id },
    { name: 'reference', kind: 'text', value: ({ invoice }) => invoice.reference },
    { name: 'ministry', kind: 'text', value: ({ invoice }) => invoice.ministry },
    { name: 'fee_code', kind: 'text', value: ({ invoice }) => invoice.feeCode },
    { name: 'fee_title', kind: 'text', value: ({ invoice }) => invoice.feeTitle?.en },
    { name: 'payer_bin', kind: 'text', value: ({ invoice }) => invoice.payer.bin },
    { name: 'payer_name', kind: 'text', value: ({ invoice }) => invoice.payer.name },
    { name: 'payer_kod', kind: 'text', value: ({ invoice }) => invoice.payer.kod },
    { name: 'status', kind: 'text', value: ({ invoice, asOf }) => effectiveState(invoice, asOf).status },
    { name: 'exception', kind: 'text', value: ({ invoice, asOf }) => effectiveState(invoice, asOf).exception },
    { name: 'created_at', kind: 'text', value: ({ invoice }) => invoice.createdAt },
    { name: 'expires_at', kind: 'text', value: ({ invoice }) => invoice.expiresAt },
    { name: 'paid_at', kind: 'text', value: ({ invoice }) => invoice.paidAt },
    { name: 'fee_currency', kind: 'text', value: ({ invoice }) => feeCells(feeWireOf(invoice)).currency },
    { name: 'fee_amount', kind: 'number', value: ({ invoice }) => feeCells(feeWireOf(invoice)).amount },
    { name: 'fee_amount_minor', kind: 'number', value: ({ invoice }) => feeCells(feeWireOf(invoice)).minor },
    ...quoteColumns<InvoiceRowInput>(({ invoice }) => invoice.quote),
    { name: 'due_micro_usd', kind: 'number', value: ({ invoice }) => invoice.dueMicroUsd },
    { name: 'due_usd', kind: 'number', value: ({ invoice }) => usd(invoice.dueMicroUsd) },
    { name: 'paid_micro_usd', kind: 'number', value: ({ invoice }) => invoice.paidMicroUsd },
    { name: 'paid_usd', kind: 'number', value: ({ invoice }) => usd(invoice.paidMicroUsd) },
    { name: 'pending_micro_usd', kind: 'number', value: ({ invoice }) => invoice.pendingMicroUsd },
    { name: 'overpaid_micro_usd', kind: 'number', value: ({ invoice }) => invoice.overpaidMicroUsd },
    { name: 'overpaid_usd', kind: 'number', value: ({ invoice }) => usd(invoice.overpaidMicroUsd) },
    { name: 'payments', kind: 'number', value: ({ invoice }) => invoice.payments.length },
    {
      name: 'payment_tx_hashes',
      kind: 'text',
      value: ({ invoice }) => invoice.payments.map((p) => `${p.chainId}:${p.txHash}:${p.logIndex}`).join(' '),
    },
    { name: 'deposit_address', kind: 'text', value: ({ invoice }) => invoice.depositAddress },
    { name: 'receipt_id', kind: 'text', value: ({ invoice }) => invoice.receiptId },
    {
      name: 'annulled_receipt_ids',
      kind: 'text',
      value: ({ invoice }) => (invoice.annulments ?? []).map((a) => a.receiptId).join(' '),
    },
    { name: 'budget_kbk', kind: 'text', value: ({ invoice }) => invoice.budget?.kbk },
    { name: 'budget_knp', kind: 'text', value: ({ invoice }) => invoice.budget?.knp },
    { name: 'budget_kbe', kind: 'text', value: ({ invoice }) => invoice.budget?.kbe },
    { name: 'budget_beneficiary_bin', kind: 'text', value: ({ invoice }) => invoice.budget?.beneficiaryBin },
    // The reference-data versions the invoice was priced with (empty for invoices issued before versioning).
    { name: 'fee_version', kind: 'text', value: ({ invoice }) => invoice.pricedWith?.fee },
    { name: 'mrp_version', kind: 'text', value: ({ invoice }) => invoice.pricedWith?.mrp },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// transfers.csv

/** What the configuration knows of a token (undefined for a contract not on the allowlist). */
export interface TokenInfo {
  chain: string;
  symbol: string;
  decimals: number;
}

export interface TransferRowInput {
  transfer: StoredTransfer;
  token?: TokenInfo;
  /** Blocks on top of the transfer's (its own included) at the chain scanner's checkpoint; undefined if unknown. */
  confirmations?: number;
}

export const transfersCsv: CsvSpec<TransferRowInput> = {
  name: 'transfers.csv',
  columns: [
    { name: 'transfer_id', kind: 'text', value: ({ transfer }) => transfer.id },
    { name: 'chain_id', kind: 'number', value: ({ transfer }) => transfer.chainId },
    { name: 'chain', kind: 'text', value: ({ token }) => token?.chain },
    { name: 'token', kind: 'text', value: ({ transfer }) => checksum(transfer.token) },
    { name: 'token_symbol', kind: 'text', value: ({ token }) => token?.symbol },
    { name: 'token_decimals', kind: 'number', value: ({ token }) => token?.decimals },
    { name: 'tx_hash', kind: 'text', value: ({ transfer }) => transfer.txHash },
    { name: 'log_index', kind: 'number', value: ({ transfer }) => transfer.logIndex },
    { name: 'block_number', kind: 'number', value: ({ transfer }) => transfer.blockNumber },
    { name: 'block_hash', kind: 'text', value: ({ transfer }) => transfer.blockHash },
    { name: 'confirmations', kind: 'number', value: ({ confirmations }) => confirmations },
    { name: 'from_address', kind: 'text', value: ({ transfer }) => transfer.from },
    { name: 'to_address', kind: 'text', value: ({ transfer }) => transfer.to },
    { name: 'amount_units', kind: 'number', value: ({ transfer }) => transfer.amount },
    {
      name: 'amount',
      kind: 'number',
      value: ({ transfer, token }) => (token ? fixedDecimal(transfer.amount, token.decimals) : ''),
    },
    { name: 'micro_usd', kind: 'number', value: ({ transfer }) => transfer.microUsd },
    { name: 'usd', kind: 'number', value: ({ transfer }) => usd(transfer.microUsd) },
    { name: 'remainder_units', kind: 'number', value: ({ transfer }) => transfer.remainderUnits },
    { name: 'state', kind: 'text', value: ({ transfer }) => transfer.state },
    { name: 'match', kind: 'text', value: ({ transfer }) => (transfer.invoiceId ? 'matched' : 'unmatched') },
    { name: 'invoice_id', kind: 'text', value: ({ transfer }) => transfer.invoiceId },
    { name: 'unmatched_reason', kind: 'text', value: ({ transfer }) => transfer.unmatchedReason },
    { name: 'sources', kind: 'text', value: ({ transfer }) => [...transfer.sources].sort().join(' ') },
    { name: 'first_seen_at', kind: 'text', value: ({ transfer }) => transfer.firstSeenAt },
    { name: 'last_event', kind: 'text', value: ({ transfer }) => transfer.history.at(-1)?.event },
    { name: 'last_event_at', kind: 'text', value: ({ transfer }) => transfer.history.at(-1)?.at },
  ],
};

function checksum(address: string): string {
  try {
    return getAddress(address);
  } catch {
    return address;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// receipts.csv

export interface ReceiptRowInput {
  receipt: Receipt;
  /** When the receipt's invoice was issued (from the store; tells whether the invoice belongs to the period). */
  invoiceCreatedAt?: string;
}

/** The signed receipt as stored in `receipt_json`: every field but `typedData`, which derives from the others. */
export function receiptJson(receipt: Receipt): string {
  const { typedData: _typedData, ...rest } = receipt;
  return JSON.stringify(rest);
}

export const receiptsCsv: CsvSpec<ReceiptRowInput> = {
  name: 'receipts.csv',
  columns: [
    { name: 'receipt_no', kind: 'number', value: ({ receipt }) => receipt.receiptNo },
    { name: 'receipt_id', kind: 'text', value: ({ receipt }) => receipt.receiptId },
    { name: 'ministry', kind: 'text', value: ({ receipt }) => receipt.ministry },
    { name: 'invoice_id', kind: 'text', value: ({ receipt }) => receipt.invoiceId },
    { name: 'invoice_created_at', kind: 'text', value: ({ invoiceCreatedAt }) => invoiceCreatedAt },
    { name: 'fee_code', kind: 'text', value: ({ receipt }) => receipt.feeCode },
    { name: 'fee_title', kind: 'text', value: ({ receipt }) => receipt.feeTitle },
    { name: 'payer_bin', kind: 'text', value: ({ receipt }) => receipt.payer.bin },
    { name: 'payer_name', kind: 'text', value: ({ receipt }) => receipt.payer.name },
    { name: 'payer_kod', kind: 'text', value: ({ receipt }) => receipt.payer.kod },
    { name: 'fee_currency', kind: 'text', value: ({ receipt }) => feeCells(receipt.fee).currency },
    { name: 'fee_amount', kind: 'number', value: ({ receipt }) => feeCells(receipt.fee).amount },
    { name: 'fee_amount_minor', kind: 'number', value: ({ receipt }) => feeCells(receipt.fee).minor },
    ...quoteColumns<ReceiptRowInput>(({ receipt }) => receipt.quote),
    { name: 'due_micro_usd', kind: 'number', value: ({ receipt }) => receipt.dueMicroUsd },
    { name: 'due_usd', kind: 'number', value: ({ receipt }) => usd(receipt.dueMicroUsd) },
    { name: 'paid_micro_usd', kind: 'number', value: ({ receipt }) => receipt.paidMicroUsd },
    { name: 'paid_usd', kind: 'number', value: ({ receipt }) => usd(receipt.paidMicroUsd) },
    { name: 'overpaid_micro_usd', kind: 'number', value: ({ receipt }) => receipt.overpaidMicroUsd },
    { name: 'overpaid_usd', kind: 'number', value: ({ receipt }) => usd(receipt.overpaidMicroUsd) },
    { name: 'exception', kind: 'text', value: ({ receipt }) => receipt.exception },
    { name: 'payments', kind: 'number', value: ({ receipt }) => receipt.payments.length },
    {
      name: 'payment_tx_hashes',
      kind: 'text',
      value: ({ receipt }) => receipt.payments.map((p) => `${p.chainId}:${p.txHash}:${p.logIndex}`).join(' '),
    },
    {
      name: 'payment_blocks',
      kind: 'text',
      value: ({ receipt }) => receipt.payments.map((p) => p.blockNumber).join(' '),
    },
    { name: 'paid_at', kind: 'text', value: ({ receipt }) => receipt.paidAt },
    { name: 'issued_at', kind: 'text', value: ({ receipt }) => receipt.issuedAt },
    { name: 'budget_kbk', kind: 'text', value: ({ receipt }) => receipt.budget?.kbk },
    { name: 'budget_knp', kind: 'text', value: ({ receipt }) => receipt.budget?.knp },
    { name: 'budget_kbe', kind: 'text', value: ({ receipt }) => receipt.budget?.kbe },
    { name: 'budget_beneficiary_bin', kind: 'text', value: ({ receipt }) => receipt.budget?.beneficiaryBin },
    // The reference-data versions the receipt signs (empty for receipts of invoices issued before versioning).
    { name: 'fee_version', kind: 'text', value: ({ receipt }) => receipt.pricedWith?.fee },
    { name: 'mrp_version', kind: 'text', value: ({ receipt }) => receipt.pricedWith?.mrp },
    { name: 'prev_hash', kind: 'text', value: ({ receipt }) => receipt.prevHash },
    { name: 'hash', kind: 'text', value: ({ receipt }) => receipt.hash },
    { name: 'signature', kind: 'text', value: ({ receipt }) => receipt.signature },
    { name: 'signer', kind: 'text', value: ({ receipt }) => receipt.signer },
    { name: 'receipt_json', kind: 'text', value: ({ receipt }) => receiptJson(receipt) },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// journal.csv

export interface JournalRowInput {
  entry: JournalEntry;
  line: JournalLine;
  /** 1-based position of the line in its entry. */
  lineNo: number;
}

export const journalCsv: CsvSpec<JournalRowInput> = {
  name: 'journal.csv',
  columns: [
    { name: 'entry_id', kind: 'text', value: ({ entry }) => entry.entryId },
    { name: 'line_no', kind: 'number', value: ({ lineNo }) => lineNo },
    { name: 'at', kind: 'text', value: ({ entry }) => entry.at },
    { name: 'kind', kind: 'text', value: ({ entry }) => entry.kind },
    { name: 'ministry', kind: 'text', value: ({ entry }) => entry.ministry },
    { name: 'invoice_id', kind: 'text', value: ({ entry }) => entry.invoiceId },
    { name: 'transfer_id', kind: 'text', value: ({ entry }) => entry.transferId },
    { name: 'account', kind: 'text', value: ({ line }) => line.account },
    { name: 'debit_micro_usd', kind: 'number', value: ({ line }) => line.debit },
    { name: 'credit_micro_usd', kind: 'number', value: ({ line }) => line.credit },
    { name: 'debit_usd', kind: 'number', value: ({ line }) => usd(line.debit) },
    { name: 'credit_usd', kind: 'number', value: ({ line }) => usd(line.credit) },
  ],
};

/** The rows of a journal entry, one per line. */
export function journalRowInputs(entry: JournalEntry): JournalRowInput[] {
  return entry.lines.map((line, i) => ({ entry, line, lineNo: i + 1 }));
}

// ---------------------------------------------------------------------------------------------------------------
// sweeps.csv

export interface SweepRowInput {
  sweep: Sweep;
  /** One address of the sweep (one row each). */
  address: SweptAddress;
  token?: TokenInfo;
}

/** Micro-USD of what left one address (6-decimal tokens exactly; an 18-decimal token's dust below it is dropped). */
function sweptMicroUsd({ address, token }: SweepRowInput): bigint | undefined {
  if (!token || address.amount === undefined) return undefined;
  const scale = token.decimals - MICRO_USD_DECIMALS;
  return scale >= 0 ? address.amount / pow10(scale) : address.amount * pow10(-scale);
}

export const sweepsCsv: CsvSpec<SweepRowInput> = {
  name: 'sweeps.csv',
  columns: [
    { name: 'sweep_id', kind: 'text', value: ({ sweep }) => sweep.id },
    { name: 'chain_id', kind: 'number', value: ({ sweep }) => sweep.chainId },
    { name: 'token', kind: 'text', value: ({ sweep }) => checksum(sweep.token) },
    { name: 'token_symbol', kind: 'text', value: ({ token }) => token?.symbol },
    { name: 'token_decimals', kind: 'number', value: ({ token }) => token?.decimals },
    { name: 'tx_hash', kind: 'text', value: ({ sweep }) => sweep.txHash },
    { name: 'block_number', kind: 'number', value: ({ sweep }) => sweep.blockNumber },
    { name: 'state', kind: 'text', value: ({ sweep }) => sweep.state },
    { name: 'submitted_at', kind: 'text', value: ({ sweep }) => sweep.submittedAt },
    { name: 'final_at', kind: 'text', value: ({ sweep }) => sweep.finalAt },
    { name: 'custody', kind: 'text', value: ({ sweep }) => sweep.custody },
    { name: 'invoice_id', kind: 'text', value: ({ address }) => address.invoiceId },
    { name: 'deposit_address', kind: 'text', value: ({ address }) => address.address },
    { name: 'amount_units', kind: 'number', value: ({ address }) => address.amount },
    {
      name: 'amount',
      kind: 'number',
      value: ({ address, token }) =>
        token && address.amount !== undefined ? fixedDecimal(address.amount, token.decimals) : '',
    },
    { name: 'micro_usd', kind: 'number', value: (input) => sweptMicroUsd(input) },
    {
      name: 'address_failed',
      kind: 'text',
      value: ({ address }) => (address.failedReason !== undefined ? 'yes' : 'no'),
    },
    { name: 'failure', kind: 'text', value: ({ sweep }) => sweep.failure },
  ],
};

/** The rows of a sweep, one per address. */
export function sweepRowInputs(sweep: Sweep, token?: TokenInfo): SweepRowInput[] {
  return sweep.addresses.map((address) => ({ sweep, address, ...(token ? { token } : {}) }));
}

// ---------------------------------------------------------------------------------------------------------------
// refunds.csv

export interface RefundRowInput {
  refund: Refund;
}

/**
 * Micro-USD of a refund's amount, as its `refund-completed` journal entry moves it (face value, an 18-decimal
 * token's dust below one micro-USD dropped).
 */
export function refundMicroUsd(refund: Pick<Refund, 'amount' | 'decimals'>): bigint {
  return tokenUnitsToMicroUsd(refund.amount, refund.decimals).microUsd;
}

export const refundsCsv: CsvSpec<RefundRowInput> = {
  name: 'refunds.csv',
  columns: [
    { name: 'refund_id', kind: 'text', value: ({ refund }) => refund.id },
    { name: 'state', kind: 'text', value: ({ refund }) => refund.state },
    { name: 'source_kind', kind: 'text', value: ({ refund }) => refund.source.kind },
    {
      name: 'invoice_id',
      kind: 'text',
      value: ({ refund }) => (refund.source.kind === 'invoice' ? refund.source.invoiceId : undefined),
    },
    {
      name: 'transfer_id',
      kind: 'text',
      value: ({ refund }) => (refund.source.kind === 'transfer' ? refund.source.transferId : undefined),
    },
    { name: 'ministry', kind: 'text', value: ({ refund }) => refund.ministry },
    { name: 'chain_id', kind: 'number', value: ({ refund }) => refund.chainId },
    { name: 'token', kind: 'text', value: ({ refund }) => checksum(refund.token) },
    { name: 'token_decimals', kind: 'number', value: ({ refund }) => refund.decimals },
    { name: 'to_address', kind: 'text', value: ({ refund }) => refund.to },
    { name: 'amount_units', kind: 'number', value: ({ refund }) => refund.amount },
    { name: 'amount', kind: 'number', value: ({ refund }) => fixedDecimal(refund.amount, refund.decimals) },
    { name: 'micro_usd', kind: 'number', value: ({ refund }) => refundMicroUsd(refund) },
    { name: 'usd', kind: 'number', value: ({ refund }) => usd(refundMicroUsd(refund)) },
    { name: 'reason', kind: 'text', value: ({ refund }) => refund.reason },
    { name: 'requested_by', kind: 'text', value: ({ refund }) => refund.requestedBy },
    { name: 'approved_by', kind: 'text', value: ({ refund }) => refund.approvedBy },
    { name: 'rejected_by', kind: 'text', value: ({ refund }) => refund.rejectedBy },
    { name: 'requested_at', kind: 'text', value: ({ refund }) => refund.requestedAt },
    { name: 'approved_at', kind: 'text', value: ({ refund }) => refund.approvedAt },
    { name: 'instructed_at', kind: 'text', value: ({ refund }) => refund.instructedAt },
    { name: 'completed_at', kind: 'text', value: ({ refund }) => refund.completedAt },
    { name: 'rejected_at', kind: 'text', value: ({ refund }) => refund.rejectedAt },
    { name: 'tx_hash', kind: 'text', value: ({ refund }) => refund.txHash },
    { name: 'log_index', kind: 'number', value: ({ refund }) => refund.logIndex },
    { name: 'block_number', kind: 'number', value: ({ refund }) => refund.blockNumber },
    { name: 'receipt_id', kind: 'text', value: ({ refund }) => refund.receiptId },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// compliance.csv

/** One compliance decision (docs/compliance.md): who decided what, when and why; money for holds and decisions. */
export const complianceCsv: CsvSpec<ComplianceDecision> = {
  name: 'compliance.csv',
  columns: [
    { name: 'decision_id', kind: 'text', value: (d) => d.id },
    { name: 'at', kind: 'text', value: (d) => d.at },
    { name: 'action', kind: 'text', value: (d) => d.action },
    { name: 'subject', kind: 'text', value: (d) => d.subject },
    { name: 'actor', kind: 'text', value: (d) => d.actor.subject },
    { name: 'actor_role', kind: 'text', value: (d) => d.actor.role },
    { name: 'reason', kind: 'text', value: (d) => d.reason },
    { name: 'amount_units', kind: 'number', value: (d) => d.amount },
    { name: 'micro_usd', kind: 'number', value: (d) => d.microUsd },
  ],
};
