/**
 * What a reconciliation change does to an invoice, pure: the balance change of a token's units coming or going, the
 * invoice after a change (`invoiceAfter`, the same change the DynamoDB adapter writes as one conditional update),
 * and the fields of the receipt it is owed when it reaches `paid`.
 */
import { feeAmountToJson } from './fees';
import type { FinalPayment, Invoice, InvoiceAnnulment, PricedWith } from './invoices';
import { tokenUnitsToMicroUsd } from './money';
import { type Receipt, type ReceiptException, receiptIdFor, type UnsignedReceipt } from './receipts';
import { applyUnits, type InvoiceOutcome, type StoredTransfer, type TokenUnits, tokenUnitsKey } from './reconcile';

/** What an invoice change writes besides the outcome's balances and state. */
export interface InvoiceChanges {
  /** A payment that became final: appended. */
  payment?: FinalPayment;
  /** The whole payment list, when a payment is taken off (annulment). */
  payments?: FinalPayment[];
  /** The receipt issued by this change. */
  receipt?: Receipt;
  /** The receipt standing is annulled: the invoice names none until a new one is issued. */
  receiptAnnulled?: InvoiceAnnulment;
  tokenUnits?: TokenUnits;
  /** A moved expiry (an invoice reopened after an annulment). */
  expiresAt?: string;
}

/** The invoice after `outcome` and `changes` at `at`, its version bumped. */
export function invoiceAfter(invoice: Invoice, outcome: InvoiceOutcome, changes: InvoiceChanges, at: string): Invoice {
  const { receipt, receiptAnnulled } = changes;
  const next: Invoice = {
    ...invoice,
    paidMicroUsd: outcome.paidMicroUsd,
    pendingMicroUsd: outcome.pendingMicroUsd,
    overpaidMicroUsd: outcome.overpaidMicroUsd,
    status: outcome.status,
    exception: outcome.exception,
    payments: changes.payments ?? (changes.payment ? [...invoice.payments, changes.payment] : invoice.payments),
    expiresAt: changes.expiresAt ?? invoice.expiresAt,
    version: invoice.version + 1,
  };
  if (changes.tokenUnits) next.tokenUnits = changes.tokenUnits;
  if (receiptAnnulled) next.annulments = [...(invoice.annulments ?? []), receiptAnnulled];
  if (receipt) {
    next.receiptId = receipt.receiptId;
    next.paidAt = at;
  } else if (receiptAnnulled) {
    // Without a replacement receipt in the same change, the invoice names no receipt until it is paid again.
    delete next.receiptId;
    delete next.paidAt;
  }
  return next;
}

/** The fields of the receipt an invoice gets on reaching `paid` with `payments`. */
export function receiptFields(
  invoice: Invoice,
  outcome: InvoiceOutcome,
  payments: readonly FinalPayment[],
  receiptNo: number,
  at: string,
): UnsignedReceipt {
  return {
    receiptId: receiptIdFor(invoice.id, (invoice.annulments?.length ?? 0) + 1),
    receiptNo: String(receiptNo),
    invoiceId: invoice.id,
    ministry: invoice.ministry,
    feeCode: invoice.feeCode,
    feeTitle: invoice.feeTitle.en,
    feeTitleKk: invoice.feeTitle.kk,
    feeTitleRu: invoice.feeTitle.ru,
    // The payer as the registry knows it; never the mail address (contact data, not part of the fee's record).
    payer: { bin: invoice.payer.bin, name: invoice.payer.name, kod: invoice.payer.kod },
    fee: feeAmountToJson(invoice.fee),
    // The versions the invoice was priced with; an invoice issued before reference data was versioned has none, and
    // its receipt is signed over the type without them (shared/domain/receipts.ts, receiptTypeOf).
    ...(invoice.pricedWith ? { pricedWith: pricedWithOf(invoice.pricedWith) } : {}),
    ...(invoice.budget ? { budget: invoice.budget } : {}),
    quote: invoice.quote,
    dueMicroUsd: invoice.dueMicroUsd.toString(),
    paidMicroUsd: outcome.paidMicroUsd.toString(),
    overpaidMicroUsd: outcome.overpaidMicroUsd.toString(),
    // A receipt is issued only on reaching `paid`, whose exception is never `underpaid`.
    exception: outcome.exception as ReceiptException,
    payments: payments.map((p) => ({
      chainId: p.chainId,
      token: p.token,
      txHash: p.txHash,
      logIndex: p.logIndex,
      blockNumber: p.blockNumber,
      amount: p.amount.toString(),
      decimals: p.decimals,
      microUsd: p.microUsd.toString(),
    })),
    paidAt: at,
    issuedAt: at,
  };
}

/** The invoice's versions as a receipt signs them: an MRP version only when there is one. */
function pricedWithOf({ fee, mrp }: PricedWith): PricedWith {
  return mrp ? { fee, mrp } : { fee };
}

/**
 * The change in an invoice's balances when `pending`/`paid` base units of `transfer`'s token come or go: summed per
 * token in base units first, then converted (DESIGN.md, Trust). An invoice stored before per-token sums existed has
 * none: its transfers are converted one by one, as they were when its balances were written.
 */
export function unitChange(
  invoice: Invoice,
  transfer: Pick<StoredTransfer, 'chainId' | 'amount'>,
  token: { address: string; decimals: number },
  change: { pending: bigint; paid: bigint },
): { pendingDelta: bigint; paidDelta: bigint; tokenUnits?: TokenUnits } {
  if (!invoice.tokenUnits) {
    const micro = tokenUnitsToMicroUsd(transfer.amount, token.decimals).microUsd;
    const part = (units: bigint) => (units === 0n ? 0n : units > 0n ? micro : -micro);
    return { pendingDelta: part(change.pending), paidDelta: part(change.paid) };
  }
  const key = tokenUnitsKey(transfer.chainId, token.address);
  const applied = applyUnits(invoice.tokenUnits, key, token.decimals, change);
  return { pendingDelta: applied.pendingDelta, paidDelta: applied.paidDelta, tokenUnits: applied.units };
}

/** A final transfer as the invoice's payment list (and its receipt) records it. */
export function finalPayment(transfer: StoredTransfer, token: { decimals: number }, microUsd: bigint): FinalPayment {
  return {
    transferId: transfer.id,
    chainId: transfer.chainId,
    token: transfer.token,
    txHash: transfer.txHash,
    logIndex: transfer.logIndex,
    blockNumber: transfer.blockNumber,
    amount: transfer.amount,
    decimals: token.decimals,
    microUsd,
  };
}
