/**
 * The settlement files of an export (DESIGN.md, "Settlement"; docs/exports.md): `settlements.csv` (the custodian's
 * report lines of the period, each with its batch's SHA-256), `bank.csv` (the bank entries of the period) and
 * `reconciliation.csv` (the three-way reconciliation of the period: a row per settlement line with its status, and a
 * row per exception). Fiat amounts are in minor units (tiyn, cents) beside the decimal; token amounts in base units
 * beside token units. The settlement journal entries go to journal.csv.
 */
import type { BankEntry } from '../bank-statements';
import { FIAT_DECIMALS } from '../money';
import type { ReconciledLine, ReconciliationException } from '../settlement-reconciliation';
import type { SettlementLine } from '../settlements';
import { type CsvSpec, fixedDecimal } from './columns';

const fiat = (minor: bigint | undefined) => (minor === undefined ? undefined : fixedDecimal(minor, FIAT_DECIMALS));
/** A signed fiat amount (an FX variance may be negative). */
const signedFiat = (minor: bigint | undefined) =>
  minor === undefined
    ? undefined
    : `${minor < 0n ? '-' : ''}${fixedDecimal(minor < 0n ? -minor : minor, FIAT_DECIMALS)}`;

export interface SettlementRowInput {
  line: SettlementLine;
  batchSha256: string;
}

export const settlementsCsv: CsvSpec<SettlementRowInput> = {
  name: 'settlements.csv',
  columns: [
    { name: 'batch_id', kind: 'text', value: ({ line }) => line.batchId },
    { name: 'batch_sha256', kind: 'text', value: ({ batchSha256 }) => batchSha256 },
    { name: 'line', kind: 'number', value: ({ line }) => line.line },
    { name: 'chain_id', kind: 'number', value: ({ line }) => line.chainId },
    { name: 'token', kind: 'text', value: ({ line }) => line.token },
    { name: 'tx_hash', kind: 'text', value: ({ line }) => line.txHash },
    { name: 'token_amount_units', kind: 'number', value: ({ line }) => line.tokenAmount },
    { name: 'token_amount', kind: 'number', value: ({ line }) => fixedDecimal(line.tokenAmount, line.tokenDecimals) },
    { name: 'fiat_currency', kind: 'text', value: ({ line }) => line.fiatCurrency },
    { name: 'fiat_amount_minor', kind: 'number', value: ({ line }) => line.fiatAmount },
    { name: 'fiat_amount', kind: 'number', value: ({ line }) => fiat(line.fiatAmount) },
    { name: 'rate', kind: 'number', value: ({ line }) => line.rate },
    { name: 'fee_amount_minor', kind: 'number', value: ({ line }) => line.feeAmount },
    { name: 'fee_amount', kind: 'number', value: ({ line }) => fiat(line.feeAmount) },
    { name: 'value_date', kind: 'text', value: ({ line }) => line.valueDate },
    { name: 'bank_reference', kind: 'text', value: ({ line }) => line.bankReference },
    { name: 'kbk', kind: 'text', value: ({ line }) => line.kbk },
  ],
};

export const bankCsv: CsvSpec<BankEntry> = {
  name: 'bank.csv',
  columns: [
    { name: 'message_id', kind: 'text', value: (e) => e.messageId },
    { name: 'statement_id', kind: 'text', value: (e) => e.statementId },
    { name: 'account', kind: 'text', value: (e) => e.account },
    { name: 'entry_no', kind: 'number', value: (e) => e.entryNo },
    { name: 'tx_no', kind: 'number', value: (e) => e.txNo },
    { name: 'direction', kind: 'text', value: (e) => e.direction },
    { name: 'currency', kind: 'text', value: (e) => e.currency },
    { name: 'amount_minor', kind: 'number', value: (e) => e.amount },
    { name: 'amount', kind: 'number', value: (e) => fiat(e.amount) },
    { name: 'value_date', kind: 'text', value: (e) => e.valueDate },
    { name: 'booking_date', kind: 'text', value: (e) => e.bookingDate },
    { name: 'end_to_end_id', kind: 'text', value: (e) => e.endToEndId },
    { name: 'references', kind: 'text', value: (e) => e.references.join(' ') },
    { name: 'counterparty_name', kind: 'text', value: (e) => e.counterpartyName },
    { name: 'counterparty_account', kind: 'text', value: (e) => e.counterpartyAccount },
    { name: 'kbk', kind: 'text', value: (e) => e.kbk },
    { name: 'remittance', kind: 'text', value: (e) => e.remittance },
  ],
};

/** A reconciliation row: a settlement line's outcome, or an exception. */
export type ReconciliationRowInput = { item: ReconciledLine } | { exception: ReconciliationException };

const itemOf = (r: ReconciliationRowInput) => ('item' in r ? r.item : undefined);
const exceptionOf = (r: ReconciliationRowInput) => ('exception' in r ? r.exception : undefined);

export const reconciliationCsv: CsvSpec<ReconciliationRowInput> = {
  name: 'reconciliation.csv',
  columns: [
    { name: 'record', kind: 'text', value: (r) => ('item' in r ? 'line' : 'exception') },
    {
      name: 'status',
      kind: 'text',
      value: (r) => ('item' in r && r.item.reasons.length === 0 ? 'matched' : 'exception'),
    },
    { name: 'reasons', kind: 'text', value: (r) => itemOf(r)?.reasons.join(';') ?? exceptionOf(r)?.reason },
    { name: 'batch_id', kind: 'text', value: (r) => itemOf(r)?.line.batchId ?? exceptionOf(r)?.batchId },
    { name: 'line', kind: 'number', value: (r) => itemOf(r)?.line.line ?? exceptionOf(r)?.line },
    { name: 'chain_id', kind: 'number', value: (r) => itemOf(r)?.line.chainId ?? exceptionOf(r)?.chainId },
    { name: 'tx_hash', kind: 'text', value: (r) => itemOf(r)?.line.txHash ?? exceptionOf(r)?.txHash },
    {
      name: 'bank_reference',
      kind: 'text',
      value: (r) => itemOf(r)?.line.bankReference ?? exceptionOf(r)?.bankReference,
    },
    { name: 'token_amount_units', kind: 'number', value: (r) => itemOf(r)?.line.tokenAmount },
    { name: 'outflow_units', kind: 'number', value: (r) => itemOf(r)?.outflow?.amount },
    { name: 'fiat_currency', kind: 'text', value: (r) => itemOf(r)?.line.fiatCurrency },
    { name: 'fiat_amount_minor', kind: 'number', value: (r) => itemOf(r)?.line.fiatAmount },
    { name: 'fee_amount_minor', kind: 'number', value: (r) => itemOf(r)?.line.feeAmount },
    { name: 'bank_amount_minor', kind: 'number', value: (r) => itemOf(r)?.credit?.amount },
    { name: 'rate', kind: 'number', value: (r) => itemOf(r)?.line.rate },
    { name: 'nbk_rate', kind: 'number', value: (r) => itemOf(r)?.nbkRate },
    { name: 'nbk_rate_date', kind: 'text', value: (r) => itemOf(r)?.nbkRateDate },
    // May be negative: a text cell, so a leading minus is neutralized for spreadsheets like any other.
    { name: 'fx_variance', kind: 'text', value: (r) => signedFiat(itemOf(r)?.fxVariance) },
    { name: 'kbk', kind: 'text', value: (r) => itemOf(r)?.line.kbk ?? itemOf(r)?.credit?.kbk },
    { name: 'message_id', kind: 'text', value: (r) => itemOf(r)?.credit?.messageId ?? exceptionOf(r)?.messageId },
    { name: 'entry_no', kind: 'number', value: (r) => itemOf(r)?.credit?.entryNo ?? exceptionOf(r)?.entryNo },
    { name: 'detail', kind: 'text', value: (r) => exceptionOf(r)?.detail },
  ],
};
