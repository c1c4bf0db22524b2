/**
 * The invoice: what a ministry asks a licensed firm to pay, with its locked quote, deposit address and payment
 * options. Pure domain: state rules, the wire form, option building. Persistence is in shared/adapters/dynamo/invoices.ts.
 */
import { encodeBase64 } from 'ethers';
import type { ChainConfig } from './chains';
import type { DepositScheme } from './deposit-address';
import { eip681TransferUri } from './eip681';
import {
  type BudgetDetails,
  type FeeAmount,
  type FeeAmountWire,
  type FeeTitle,
  feeAmountToJson,
  type IssuerContact,
} from './fees';
import type { QuoteInfo } from './fx';
import { DEFAULT_LANGUAGE, type Language } from './languages';
import { microUsdToTokenUnits } from './money';
import type { TokenUnits } from './reconcile';

export const invoiceStatuses = ['open', 'processing', 'paid', 'expired', 'cancelled'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];
export type InvoiceException = 'none' | 'underpaid' | 'overpaid' | 'late';

/** Bounds of `expiresInMinutes`: long enough to pay from a hardware wallet, short enough for a quote to hold. */
export const EXPIRY_MINUTES = { min: 5, max: 7 * 24 * 60, default: 60 } as const;
/** After expiry, a payment still completes the invoice at the locked quote (exception `late`) for this long. */
export const LATE_WINDOW_MINUTES = 24 * 60;

/** One way to pay: a token on a chain, the exact amount in its base units, and where to send it. */
export interface PaymentOption {
  chainId: number;
  chain: string;
  token: string;
  symbol: string;
  decimals: number;
  amount: bigint;
  depositAddress: string;
  eip681: string;
}

export interface Payer {
  bin: string;
  name: string;
  /** KOd, the payer code budget payments carry, derived from the BIN. */
  kod: string;
  /** Where the payer is told of the invoice and its receipt (optional; never shown on the public pages). */
  email?: string;
  /** The payer's licence number, when the licensed-firm register listed the BIN at issuance. */
  licenceNo?: string;
}

/** A final transfer credited to an invoice, as its receipt lists it. */
export interface FinalPayment {
  transferId: string;
  chainId: number;
  token: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  /** Base units. */
  amount: bigint;
  decimals: number;
  /** What this payment added to the paid balance (summed per token before conversion, so parts add up exactly). */
  microUsd: bigint;
}

/** One annulment of an invoice's receipt: the signed annulment document, the receipt it annuls, the payment gone. */
export interface InvoiceAnnulment {
  annulmentId: string;
  receiptId: string;
  transferId: string;
  at: string;
}

/**
 * The reference-data versions an invoice was priced with (shared/domain/reference-data.ts): the fee's, and the
 * MRP's for an MRP fee. Absent on invoices issued before reference data was versioned.
 */
export interface PricedWith {
  fee: string;
  mrp?: string;
}

/** An invoice as the domain sees it: money in bigint. */
export interface Invoice {
  id: string;
  ministry: string;
  feeCode: string;
  feeTitle: FeeTitle;
  fee: FeeAmount;
  budget?: BudgetDetails;
  payer: Payer;
  reference?: string;
  /** The language the payer is written to in (mail); the pages follow the reader's choice. */
  language?: Language;
  quote: QuoteInfo;
  pricedWith?: PricedWith;
  /** How the payer reaches the issuer: the fee's contact when the invoice was issued. */
  issuerContact?: IssuerContact;
  dueMicroUsd: bigint;
  paidMicroUsd: bigint;
  pendingMicroUsd: bigint;
  overpaidMicroUsd: bigint;
  status: InvoiceStatus;
  exception: InvoiceException;
  depositAddress: string;
  /** How the deposit address was made: a forwarder of the chain's factory, or derived from the account xpub. */
  depositScheme: DepositScheme;
  /** The xpub child index of the deposit address (`xpub` scheme only). */
  depositIndex?: number;
  options: PaymentOption[];
  createdAt: string;
  expiresAt: string;
  receiptId?: string;
  paidAt?: string;
  /** Final transfers credited so far, in the order they became final. */
  payments: FinalPayment[];
  /** Base units received per token, pending and final: balances are conversions of these sums. */
  tokenUnits?: TokenUnits;
  /** Receipts of this invoice annulled because a payment they listed was gone after finality, oldest first. */
  annulments?: InvoiceAnnulment[];
  /** Optimistic-concurrency version: every write checks and bumps it. */
  version: number;
}

/**
 * A public invoice id: `inv_` and 128 random bits, base64url. Web Crypto (global in Node and browsers) rather than
 * node:crypto, so the domain modules the console's verifier loads (export columns) run in a browser.
 */
export function newInvoiceId(): string {
  const base64 = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
  return `inv_${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Shape check for ids in paths, so a malformed id is a 404 without touching the table. */
export const INVOICE_ID_PATTERN = /^inv_[A-Za-z0-9_-]{22}$/;

/** Every accepted token on every enabled chain, each with its exact amount and EIP-681 link. */
export function buildOptions(
  chains: readonly ChainConfig[],
  depositAddress: string,
  dueMicroUsd: bigint,
): PaymentOption[] {
  return chains.flatMap((chain) =>
    chain.tokens.map((token) => {
      const amount = microUsdToTokenUnits(dueMicroUsd, token.decimals);
      return {
        chainId: chain.chainId,
        chain: chain.name,
        token: token.address,
        symbol: token.symbol,
        decimals: token.decimals,
        amount,
        depositAddress,
        eip681: eip681TransferUri({ token: token.address, chainId: chain.chainId, to: depositAddress, amount }),
      };
    }),
  );
}

/**
 * The status a reader must see: an `open` invoice past its expiry is expired even before the expiry sweep has
 * written it, so no one pays an invoice that reads as open but is not.
 */
export function effectiveState(
  invoice: Pick<Invoice, 'status' | 'exception' | 'expiresAt' | 'paidMicroUsd' | 'pendingMicroUsd'>,
  now: Date,
): { status: InvoiceStatus; exception: InvoiceException } {
  if (
    (invoice.status === 'open' || (invoice.status === 'processing' && invoice.pendingMicroUsd === 0n)) &&
    now.getTime() >= Date.parse(invoice.expiresAt)
  ) {
    return { status: 'expired', exception: invoice.paidMicroUsd > 0n ? 'underpaid' : 'none' };
  }
  return { status: invoice.status, exception: invoice.exception };
}

/** Wire form of an invoice (the API's invoice body). */
export interface InvoiceWire {
  id: string;
  status: InvoiceStatus;
  exception: InvoiceException;
  feeCode: string;
  feeTitle: FeeTitle;
  ministry: string;
  payer: Payer;
  reference?: string;
  language: Language;
  fee: FeeAmountWire;
  budget?: BudgetDetails;
  quote: QuoteInfo;
  pricedWith?: PricedWith;
  issuerContact?: IssuerContact;
  dueMicroUsd: string;
  paidMicroUsd: string;
  pendingMicroUsd: string;
  overpaidMicroUsd: string;
  depositAddress: string;
  depositScheme: DepositScheme;
  options: (Omit<PaymentOption, 'amount'> & { amount: string })[];
  payUrl: string;
  createdAt: string;
  expiresAt: string;
  receiptId: string | null;
}

/** The API body of an invoice as seen at `now`. */
export function invoiceToWire(invoice: Invoice, now: Date, publicBaseUrl: string): InvoiceWire {
  const { status, exception } = effectiveState(invoice, now);
  return {
    id: invoice.id,
    status,
    exception,
    feeCode: invoice.feeCode,
    feeTitle: invoice.feeTitle,
    ministry: invoice.ministry,
    payer: invoice.payer,
    ...(invoice.reference ? { reference: invoice.reference } : {}),
    language: invoice.language ?? DEFAULT_LANGUAGE,
    fee: feeAmountToJson(invoice.fee),
    ...(invoice.budget ? { budget: invoice.budget } : {}),
    quote: invoice.quote,
    ...(invoice.pricedWith ? { pricedWith: invoice.pricedWith } : {}),
    ...(invoice.issuerContact ? { issuerContact: invoice.issuerContact } : {}),
    dueMicroUsd: invoice.dueMicroUsd.toString(),
    paidMicroUsd: invoice.paidMicroUsd.toString(),
    pendingMicroUsd: invoice.pendingMicroUsd.toString(),
    overpaidMicroUsd: invoice.overpaidMicroUsd.toString(),
    depositAddress: invoice.depositAddress,
    depositScheme: invoice.depositScheme,
    options: invoice.options.map((o) => ({ ...o, amount: o.amount.toString() })),
    payUrl: `${publicBaseUrl}/pay/${invoice.id}`,
    createdAt: invoice.createdAt,
    expiresAt: invoice.expiresAt,
    receiptId: invoice.receiptId ?? null,
  };
}
