/**
 * Issuing an invoice: the fee must be the caller's ministry's; a KZT or MRP fee is quoted with the NBK rate in
 * force on the invoice day (Kazakhstan time) and the quote is locked into the invoice; a deposit address is
 * derived watch-only at an atomically allocated index; options list every accepted token on every enabled chain.
 */
import { createHash } from 'node:crypto';
import { takeNext } from '../adapters/dynamo/counters';
import { type CreateOutcome, createInvoice, getIdempotencyRecord, getInvoice } from '../adapters/dynamo/invoices';
import { usdKztRateFor } from '../adapters/dynamo/rates';
import { logger } from '../adapters/observability';
import { payerKod } from '../domain/bin';
import type { ChainConfig } from '../domain/chains';
import { deriveDepositAddress } from '../domain/deposit-address';
import { ConflictError, ValidationError } from '../domain/errors';
import { type FeeCatalog, findFee } from '../domain/fees';
import { FxRateUnavailableError, quoteFee } from '../domain/fx';
import { buildOptions, EXPIRY_MINUTES, type Invoice, newInvoiceId } from '../domain/invoices';
import { kazakhstanDay } from '../domain/time';

export interface IssueInvoiceRequest {
  feeCode: string;
  payer: { bin: string; name: string };
  reference?: string;
  expiresInMinutes?: number;
  /** Restricts the options to these enabled chains; all enabled chains when absent. */
  chains?: number[];
}

export interface IssueInvoiceDeps {
  catalog: FeeCatalog;
  chains: readonly ChainConfig[];
  accountXpub: string;
  now: () => Date;
  /**
   * Asks the webhook providers to watch the new deposit address. Best effort: a failure is logged and the invoice
   * still stands, because the chain scanner watches every deposit address regardless.
   */
  watchAddress?: (address: string, invoiceId: string) => Promise<void>;
}

/** Issues an invoice for `ministry`, or returns the one an earlier identical request with the same key issued. */
export async function issueInvoice(
  ministry: string,
  request: IssueInvoiceRequest,
  idempotencyKey: string | undefined,
  deps: IssueInvoiceDeps,
): Promise<CreateOutcome> {
  const fee = findFee(deps.catalog, request.feeCode);
  if (!fee || fee.ministry !== ministry) {
    throw new ValidationError([{ field: 'feeCode', message: `no fee ${request.feeCode} in ${ministry}'s catalog` }]);
  }
  const chains = selectChains(deps.chains, request.chains);
  const idempotency = idempotencyKey ? { key: idempotencyKey, requestHash: hashRequest(request) } : undefined;
  if (idempotency) {
    // A retry must not take a new deposit index; the transaction below still settles races between twins.
    const earlier = await getIdempotencyRecord(ministry, idempotency.key);
    if (earlier && earlier.requestHash !== idempotency.requestHash) {
      throw new ConflictError('This Idempotency-Key was used with a different request.');
    }
    const existing = earlier ? await getInvoice(earlier.invoiceId) : undefined;
    if (existing) return { created: false, invoice: existing };
  }

  const now = deps.now();
  const day = kazakhstanDay(now);
  let quoted: ReturnType<typeof quoteFee>;
  if ('currency' in fee.amount && fee.amount.currency === 'USD') {
    quoted = quoteFee(fee.amount, { rate: null, day });
  } else {
    const rate = await usdKztRateFor(day);
    if (!rate) throw new FxRateUnavailableError(`No NBK USD/KZT rate for ${day} or the week before; try again later.`);
    quoted = quoteFee(fee.amount, { rate: rate.rate, rateDate: rate.rateDate, day });
  }

  const depositIndex = await takeNext('DEPOSIT_INDEX');
  const depositAddress = deriveDepositAddress(deps.accountXpub, depositIndex);
  const expiresInMinutes = request.expiresInMinutes ?? EXPIRY_MINUTES.default;
  const invoice: Invoice = {
    id: newInvoiceId(),
    ministry,
    feeCode: fee.code,
    feeTitle: fee.title,
    fee: fee.amount,
    ...(fee.budget ? { budget: fee.budget } : {}),
    payer: { bin: request.payer.bin, name: request.payer.name, kod: payerKod(request.payer.bin) },
    ...(request.reference ? { reference: request.reference } : {}),
    quote: quoted.quote,
    dueMicroUsd: quoted.dueMicroUsd,
    paidMicroUsd: 0n,
    pendingMicroUsd: 0n,
    overpaidMicroUsd: 0n,
    status: 'open',
    exception: 'none',
    depositAddress,
    depositIndex,
    options: buildOptions(chains, depositAddress, quoted.dueMicroUsd),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInMinutes * 60_000).toISOString(),
    payments: [],
    tokenUnits: {},
    version: 0,
  };
  const outcome = await createInvoice(invoice, idempotency);
  if (outcome.created && deps.watchAddress) {
    await deps.watchAddress(invoice.depositAddress, invoice.id).catch((error: unknown) => {
      logger.warn('address watch request failed; the scanner covers the address', {
        invoiceId: invoice.id,
        error: (error as Error).message,
      });
    });
  }
  return outcome;
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
