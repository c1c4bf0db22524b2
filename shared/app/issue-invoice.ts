/**
 * Issuing an invoice: the fee must be the caller's ministry's; a KZT or MRP fee is quoted with the NBK rate in
 * force on the invoice day (Kazakhstan time) and the quote is locked into the invoice; the deposit address is the
 * invoice's forwarder when the enabled chains name a deposit factory, else derived watch-only at an atomically
 * allocated index; options list every accepted token on every enabled chain.
 */
import { createHash } from 'node:crypto';
import { logger } from '../adapters/observability';
import { payerKod } from '../domain/bin';
import type { ChainConfig } from '../domain/chains';
import { commonDepositFactory, type DepositScheme, deriveDepositAddress } from '../domain/deposit-address';
import { ConflictError, ValidationError } from '../domain/errors';
import { type FeeAmount, type FeeEntry, MrpUnavailableError } from '../domain/fees';
import { forwarderAddress } from '../domain/forwarder-address';
import { FxRateUnavailableError, type Quote, quoteFee } from '../domain/fx';
import { buildOptions, EXPIRY_MINUTES, type Invoice, newInvoiceId, type PricedWith } from '../domain/invoices';
import type { Language } from '../domain/languages';
import { licenceStanding, PayerNotLicensedError } from '../domain/licence-register';
import { kazakhstanYear } from '../domain/reference-data';
import { kazakhstanDay } from '../domain/time';
import type {
  AddressWatchRequests,
  IdempotencyClaim,
  InvoiceStore,
  LicenceRegister,
  PayerMailQueue,
  RateStore,
  ReferenceReader,
} from '../ports';
import { feeInForce, mrpInForce } from './reference-data';

export interface IssueInvoiceRequest {
  feeCode: string;
  payer: { bin: string; name: string; email?: string };
  reference?: string;
  /** The language the payer is written to in; the default one when absent. */
  language?: Language;
  expiresInMinutes?: number;
  /** Restricts the options to these enabled chains; all enabled chains when absent. */
  chains?: number[];
}

export interface IssueInvoiceDeps {
  /** The versioned reference data: the fee and the MRP in force at `now` (the seed versions until stored). */
  reference: ReferenceReader;
  /** The enabled chains: their common `depositFactory`, if any, decides the deposit scheme. */
  chains: readonly ChainConfig[];
  /** The account xpub of the `xpub` scheme (unused when the chains name a deposit factory). */
  accountXpub: string;
  now: () => Date;
  invoices: InvoiceStore;
  rates: RateStore;
  /** The licensed-firm register: a fee that requires a licence is issued only to an active firm. */
  register: LicenceRegister;
  /**
   * Asks the webhook providers to watch the new deposit address. Best effort: a failure is logged and the invoice
   * still stands, because the chain scanner watches every deposit address regardless.
   */
  addressWatch?: AddressWatchRequests;
  /** Queues the mail that tells the payer of the invoice (absent when mail is off). */
  notifyPayer?: PayerMailQueue;
}

/** What issuing came to: the new invoice, or the one an earlier request with the same key issued. */
export type IssueOutcome = { created: true; invoice: Invoice } | { created: false; invoice: Invoice };

/** Issues an invoice for `ministry`, or returns the one an earlier identical request with the same key issued. */
export async function issueInvoice(
  ministry: string,
  request: IssueInvoiceRequest,
  idempotencyKey: string | undefined,
  deps: IssueInvoiceDeps,
): Promise<IssueOutcome> {
  const now = deps.now();
  const priced = await feeInForce(deps.reference, request.feeCode, now);
  const fee = priced?.value;
  if (!priced || !fee || fee.ministry !== ministry) {
    throw new ValidationError([{ field: 'feeCode', message: `no fee ${request.feeCode} in ${ministry}'s catalog` }]);
  }
  const chains = selectChains(deps.chains, request.chains);
  const idempotency = idempotencyKey ? { key: idempotencyKey, requestHash: hashRequest(request) } : undefined;
  // A retry must not take a new deposit index; the create below still settles races between twins.
  const earlier = idempotency && (await earlierInvoice(ministry, idempotency, deps.invoices));
  if (earlier) {
    // The earlier request may have crashed before its mail was queued; the sender sends a mail once.
    await queueIssuedMail(earlier, deps);
    return { created: false, invoice: earlier };
  }

  const licenceNo = await payerLicence(fee, request.payer.bin, kazakhstanDay(now), deps.register);
  const mrp = 'mrp' in fee.amount ? await mrpFor(now, deps.reference) : undefined;
  const quoted = await quote(fee.amount, kazakhstanDay(now), deps.rates, mrp?.value);
  const pricedWith: PricedWith = { fee: priced.version, ...(mrp ? { mrp: mrp.version } : {}) };
  // The id comes first: a forwarder's address is a function of it.
  const id = newInvoiceId();
  const deposit = await depositFor(id, deps);
  const expiresInMinutes = request.expiresInMinutes ?? EXPIRY_MINUTES.default;
  const invoice: Invoice = {
    id,
    ministry,
    feeCode: fee.code,
    feeTitle: fee.title,
    fee: fee.amount,
    ...(fee.budget ? { budget: fee.budget } : {}),
    payer: {
      bin: request.payer.bin,
      name: request.payer.name,
      kod: payerKod(request.payer.bin),
      ...(request.payer.email ? { email: request.payer.email } : {}),
      ...(licenceNo ? { licenceNo } : {}),
    },
    ...(request.reference ? { reference: request.reference } : {}),
    ...(request.language ? { language: request.language } : {}),
    quote: quoted.quote,
    pricedWith,
    ...(fee.contact ? { issuerContact: fee.contact } : {}),
    dueMicroUsd: quoted.dueMicroUsd,
    paidMicroUsd: 0n,
    pendingMicroUsd: 0n,
    overpaidMicroUsd: 0n,
    status: 'open',
    exception: 'none',
    ...deposit,
    options: buildOptions(chains, deposit.depositAddress, quoted.dueMicroUsd),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInMinutes * 60_000).toISOString(),
    payments: [],
    tokenUnits: {},
    version: 0,
  };
  if (!(await deps.invoices.create(invoice, idempotency))) {
    // The key was taken between the check above and the create: a twin request won the race.
    const twin = idempotency && (await earlierInvoice(ministry, idempotency, deps.invoices));
    if (!twin) throw new Error(`invoice ${invoice.id} was refused, and no earlier request holds its key`);
    return { created: false, invoice: twin };
  }
  await deps.addressWatch
    ?.watch([{ address: invoice.depositAddress, invoiceId: invoice.id }])
    .catch((error: unknown) => {
      logger.warn('address watch request failed; the scanner covers the address', {
        invoiceId: invoice.id,
        error: (error as Error).message,
      });
    });
  await queueIssuedMail(invoice, deps);
  return { created: true, invoice };
}

/**
 * Queues the payer's invoice mail when the invoice names an address. Best effort: the invoice stands whatever the
 * queue says, and a retry of the request (same Idempotency-Key) queues it again.
 */
async function queueIssuedMail(invoice: Invoice, deps: Pick<IssueInvoiceDeps, 'notifyPayer'>): Promise<void> {
  if (!invoice.payer.email || !deps.notifyPayer) return;
  await deps.notifyPayer({ kind: 'payer-mail', template: 'invoice-issued', invoiceId: invoice.id }).catch((error) => {
    logger.warn('the payer mail could not be queued', { invoiceId: invoice.id, error: (error as Error).message });
  });
}

/**
 * The payer's licence number when the register lists one (the pay page and the receipt show it).
 * @throws PayerNotLicensedError when `fee` requires a licence and the payer's is not active on `day`.
 */
async function payerLicence(
  fee: FeeEntry,
  bin: string,
  day: string,
  register: LicenceRegister,
): Promise<string | undefined> {
  const firm = await register.firm(bin);
  const standing = licenceStanding(firm, day);
  if (fee.requiresLicence && standing !== 'active') throw new PayerNotLicensedError(bin, standing);
  return firm?.licenceNo;
}

/**
 * The deposit address of invoice `id`: its forwarder when the enabled chains name a deposit factory (one for all,
 * else configuration already failed), else the xpub child at the next deposit index.
 */
async function depositFor(
  id: string,
  deps: Pick<IssueInvoiceDeps, 'chains' | 'accountXpub' | 'invoices'>,
): Promise<{ depositScheme: DepositScheme; depositAddress: string; depositIndex?: number }> {
  const factory = commonDepositFactory(deps.chains);
  if (factory) return { depositScheme: 'forwarder', depositAddress: forwarderAddress({ factory }, id) };
  const depositIndex = await deps.invoices.takeDepositIndex();
  return { depositScheme: 'xpub', depositAddress: deriveDepositAddress(deps.accountXpub, depositIndex), depositIndex };
}

/**
 * The invoice an earlier request under the same key issued, if its record is still kept.
 * @throws ConflictError when that request's body differs from this one.
 */
async function earlierInvoice(
  ministry: string,
  claim: IdempotencyClaim,
  invoices: InvoiceStore,
): Promise<Invoice | undefined> {
  const earlier = await invoices.idempotencyRecord(ministry, claim.key);
  if (!earlier) return undefined;
  if (earlier.requestHash !== claim.requestHash) {
    throw new ConflictError('This Idempotency-Key was used with a different request.');
  }
  return invoices.get(earlier.invoiceId);
}

/**
 * The MRP of `now`'s Kazakhstan year, as approved by then.
 * @throws MrpUnavailableError (503) when none is: quoting with a guessed MRP would mis-charge every payer (the
 *   `MrpMissingAhead` alarm fires 30 days before this can happen).
 */
async function mrpFor(now: Date, reference: ReferenceReader) {
  const year = kazakhstanYear(now);
  const mrp = await mrpInForce(reference, year, now);
  if (!mrp) throw new MrpUnavailableError(`No MRP value is approved for ${year}; MRP fees cannot be quoted.`);
  return mrp;
}

/** A USD fee as is; a KZT or MRP fee with the NBK rate in force on `day` (and `mrpKzt`, the MRP of its year). */
async function quote(amount: FeeAmount, day: string, rates: RateStore, mrpKzt?: bigint): Promise<Quote> {
  if ('currency' in amount && amount.currency === 'USD') return quoteFee(amount, { rate: null, day });
  const rate = await rates.usdKztRateFor(day);
  if (!rate) throw new FxRateUnavailableError(`No NBK USD/KZT rate for ${day} or the week before; try again later.`);
  return quoteFee(amount, { rate: rate.rate, rateDate: rate.rateDate, day, mrpKzt });
}

function selectChains(enabled: readonly ChainConfig[], wanted: number[] | undefined): ChainConfig[] {
  if (!wanted) return [...enabled];
  return wanted.map((chainId, i) => {
    const chain = enabled.find((c) => c.chainId === chainId);
    if (!chain) throw new ValidationError([{ field: `chains.${i}`, message: `chain ${chainId} is not accepted` }]);
    return chain;
  });
}

/** A stable hash of the request body: the same fields in any key order hash the same. */
export function hashRequest(request: IssueInvoiceRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
