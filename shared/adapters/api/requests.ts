/**
 * The request schemas of the HTTP routes (query strings and JSON bodies), one copy each: the handlers validate with
 * them (shared/adapters/http.ts `httpRoute`) and the OpenAPI document (./openapi.ts) is generated from them, so the
 * description cannot drift from what is enforced. A handler keeps only what it does with the parsed request.
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import { binSchema } from '../../domain/bin';
import { EXPIRY_MINUTES, INVOICE_ID_PATTERN, invoiceStatuses } from '../../domain/invoices';
import { languages } from '../../domain/languages';
import { ministryCodeSchema } from '../../domain/ministry';
import { MAX_UINT256 } from '../../domain/money';
import { payerEmailSchema } from '../../domain/payer-mail';
import { refundStates } from '../../domain/refunds';
import { holdStates } from '../../domain/screening';
import { type QueueName, queues } from '../../resources';
import { langQuerySchema } from '../../web/pay-page/view';

/** A transfer's id as the API names it: `chainId:txHash:logIndex`. */
export const TRANSFER_ID_PATTERN = /^\d{1,12}:0x[0-9a-f]{64}:\d{1,6}$/;

/** An `Idempotency-Key` header's value. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const cursor = z.string().max(2048).optional();
const pageLimit = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);
const instant = z.iso.datetime({ offset: true });

/** `POST /v1/invoices`. */
export const issueInvoiceBody = z.strictObject({
  feeCode: z.string().min(1).max(64),
  payer: z.strictObject({
    bin: binSchema,
    // One line of text: it goes into pages, receipts and mail.
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^\P{Cc}*$/u, 'must not contain control characters (line breaks, tabs)'),
    email: payerEmailSchema.optional(),
  }),
  reference: z.string().trim().min(1).max(140).optional(),
  language: z.enum(languages).optional(),
  expiresInMinutes: z.number().int().min(EXPIRY_MINUTES.min).max(EXPIRY_MINUTES.max).optional(),
  chains: z
    .array(z.number().int().positive())
    .min(1)
    .max(20)
    // A repeated chain would repeat its payment options (and their amounts) on the invoice.
    .superRefine((ids, ctx) => {
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `chain ${id} is listed twice` });
      });
    })
    .optional(),
});

/** `GET /v1/invoices` and `GET /v1/invoices/{id}` (the one reads no query, but shares the route's options). */
export const invoicesQuery = z.strictObject({
  status: z.enum(invoiceStatuses).optional(),
  payerBin: binSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: pageLimit(25),
  cursor,
});

/** `GET /v1/receipts` and `GET /v1/receipts/{id}`. */
export const receiptsQuery = z.strictObject({
  ministry: ministryCodeSchema.optional(),
  feeCode: z.string().min(1).max(64).optional(),
  payerBin: binSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: pageLimit(25),
  cursor,
});

/** `GET /v1/transfers`: the suspense list. */
export const transfersQuery = z.strictObject({ match: z.literal('unmatched'), limit: pageLimit(50), cursor });

/** `GET /v1/sweeps`. */
export const sweepsQuery = z.strictObject({
  chainId: z.coerce.number().int().positive().optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: pageLimit(50),
  cursor,
});

/** `GET /v1/incidents`. */
export const incidentsQuery = z.strictObject({ limit: pageLimit(50), cursor });

/** `POST /v1/ops/replay`. */
export const replayBody = z.strictObject({ queue: z.enum(Object.keys(queues) as [QueueName, ...QueueName[]]) });

/** `POST /v1/exports`. */
export const exportBody = z.strictObject({ from: instant, to: instant, ministry: ministryCodeSchema.optional() });

/** `POST /v1/holds/{id}/release` and `/reject`. */
export const holdDecisionBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** `GET /v1/holds`. */
export const holdsQuery = z.strictObject({ state: z.enum(holdStates).optional(), limit: pageLimit(50), cursor });

/** `GET /v1/reconciliation`: the days `from`..`to`. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day YYYY-MM-DD');
export const periodQuery = z.strictObject({ from: day, to: day });

const address = z.string().refine((text) => {
  try {
    getAddress(text);
    return true;
  } catch {
    return false;
  }
}, 'must be an address (EIP-55 checksum when mixed case)');

const refundAmount = z
  .string()
  .max(78)
  .regex(/^[1-9]\d*$/, 'must be a positive integer of token base units, as a decimal string')
  .refine((s) => BigInt(s) <= MAX_UINT256, 'must fit a uint256')
  .transform((s) => BigInt(s));

const refundCommon = {
  to: address.optional(),
  amount: refundAmount.optional(),
  reason: z.string().trim().min(1).max(500),
};

/** `POST /v1/refunds`: of an invoice's overpayment, or of a suspense transfer. */
export const refundRequestBody = z.union([
  z.strictObject({ invoiceId: z.string().regex(INVOICE_ID_PATTERN, 'must be an invoice id'), ...refundCommon }),
  z.strictObject({
    transferId: z.string().regex(TRANSFER_ID_PATTERN, 'must be a transfer id chainId:txHash:logIndex'),
    ...refundCommon,
  }),
]);

/** `GET /v1/refunds`. */
export const refundsQuery = z.strictObject({ state: z.enum(refundStates).optional(), limit: pageLimit(25), cursor });

/** `GET /v1/pay/{id}` and the receipt routes: a well-formed but unknown `lang` falls back to negotiation. */
export const payQuery = z.object({ lang: langQuerySchema.optional() });

/**
 * `GET /pay/{id}`: `part=options` asks for the notices and payment options only, which the open page swaps in when
 * the amount due changes.
 */
export const payPageQuery = payQuery.extend({ part: z.literal('options').optional() });
