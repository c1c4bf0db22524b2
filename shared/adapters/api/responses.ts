/**
 * zod schemas of the API's main response bodies, from which the OpenAPI document (./openapi.ts) describes them. The
 * wire mappers (`invoiceToWire`, `toPayView`, `receiptToWire`, …) produce these shapes: a unit test checks their
 * types conform (test/unit/openapi.test.ts) and the e2e client validates every response against the document.
 * Where the domain already has the schema (a signed receipt, a fee entry), it is reused, never copied.
 */
import * as z from 'zod';
import { binSchema } from '../../domain/bin';
import { budgetDetailsSchema, feeAmountWireSchema, feeEntryWireSchema, issuerContactSchema } from '../../domain/fees';
import { invoiceStatuses } from '../../domain/invoices';
import { languages } from '../../domain/languages';
import { ministryCodeSchema } from '../../domain/ministry';
import { receiptSchema } from '../../domain/receipts';

const decimalString = z.string().regex(/^(0|[1-9]\d*)$/);
const instant = z.iso.datetime();
const invoiceException = z.enum(['none', 'underpaid', 'overpaid', 'late']);
const feeTitle = z.strictObject({ kk: z.string(), ru: z.string(), en: z.string() });
const quote = z.strictObject({
  source: z.enum(['NBK', 'fixed']),
  pair: z.literal('USD/KZT').optional(),
  rate: z.string().optional(),
  rateDate: z.string().optional(),
  mrpKzt: z.string().optional(),
  kztMinor: z.string().optional(),
});
const paymentOption = z.strictObject({
  chainId: z.number().int().positive(),
  chain: z.string(),
  token: z.string(),
  symbol: z.string(),
  decimals: z.number().int().min(0),
  amount: decimalString.describe('Token base units.'),
  depositAddress: z.string(),
  eip681: z.string(),
});
/** A page's continuation: absent or null on the last page. */
const nextCursor = z.string().nullable().optional();

/** An RFC 9457 problem (`application/problem+json`): every error the API answers. */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** A validation problem names each field that failed. */
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});

/**
 * API Gateway's own answer, before any function runs: throttling (429) and a body over its 10 MB limit (413). Not a
 * problem: an HTTP API cannot customise these (docs/api.md, *Errors*).
 */
export const gatewayMessageSchema = z.strictObject({ message: z.string() });

/** `GET /v1/health`: liveness, and the receipt signer's address (null when it cannot be read). */
export const livenessSchema = z.strictObject({ status: z.enum(['ok', 'degraded']), signer: z.string().nullable() });

/** `GET /v1/ops/health`: every dependency's check, and the receipt signer's address (null when it cannot be read). */
export const healthSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(
    z.string(),
    z.looseObject({
      status: z.enum(['ok', 'failing']),
      latencyMs: z.number().int().min(0),
      detail: z.string().optional(),
    }),
  ),
  signer: z.string().nullable(),
});

/** `GET /v1/fees`: the fee catalog in force, each entry with its version (the one an invoice issued now records). */
export const feeListSchema = z.strictObject({ items: z.array(feeEntryWireSchema.extend({ version: z.string() })) });

/** An invoice as its ministry and auditors read it (`invoiceToWire`). */
export const invoiceSchema = z.strictObject({
  id: z.string(),
  status: z.enum(invoiceStatuses),
  exception: invoiceException,
  feeCode: z.string(),
  feeTitle,
  ministry: ministryCodeSchema,
  payer: z.strictObject({
    bin: binSchema,
    name: z.string(),
    kod: z.string(),
    email: z.string().optional(),
    licenceNo: z.string().optional(),
  }),
  reference: z.string().optional(),
  language: z.enum(languages),
  fee: feeAmountWireSchema,
  budget: budgetDetailsSchema.optional(),
  // The reference-data versions the invoice was priced with (docs/reference-data.md); absent on older invoices.
  pricedWith: z.strictObject({ fee: z.string(), mrp: z.string().optional() }).optional(),
  issuerContact: issuerContactSchema.optional(),
  quote,
  dueMicroUsd: decimalString,
  paidMicroUsd: decimalString,
  pendingMicroUsd: decimalString,
  overpaidMicroUsd: decimalString,
  depositAddress: z.string(),
  depositScheme: z.enum(['xpub', 'forwarder']),
  options: z.array(paymentOption),
  payUrl: z.url(),
  createdAt: instant,
  expiresAt: instant,
  receiptId: z.string().nullable(),
});

/** `GET /v1/invoices`: a page of invoices. */
export const invoiceListSchema = z.strictObject({ items: z.array(invoiceSchema), nextCursor });

/** `GET /v1/invoices/{id}`: the invoice with its transfers, refunds, sweeps and the mail its payer was sent. */
export const invoiceDetailSchema = z.strictObject({
  ...invoiceSchema.shape,
  transfers: z.array(z.looseObject({ id: z.string(), state: z.string() })),
  refunds: z.array(z.looseObject({ id: z.string(), state: z.string() })),
  sweeps: z.array(z.looseObject({})),
  mail: z.array(
    z.strictObject({ template: z.string(), state: z.string(), at: instant, reason: z.string().optional() }),
  ),
});

/** A signed receipt or annulment, exactly as signed (see shared/domain/receipts.ts). */
export const signedReceiptSchema = z.strictObject({ ...receiptSchema.shape });

/** A stored receipt as ministries and auditors read it: the signed document and its delivery to the registry. */
export const receiptSchemaWithDelivery = z.strictObject({
  ...receiptSchema.shape,
  delivery: z.strictObject({
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int().min(0),
    lastError: z.string().nullable(),
    deliveredAt: instant.nullable(),
  }),
});

/** `GET /v1/receipts`: a page of receipts. */
export const receiptListSchema = z.strictObject({ items: z.array(receiptSchemaWithDelivery), nextCursor });

/** `GET /v1/pay/{id}`: the payer's view of an invoice (`toPayView`). */
export const payViewSchema = z.strictObject({
  id: z.string(),
  status: z.enum(invoiceStatuses),
  exception: invoiceException,
  ministry: ministryCodeSchema,
  feeCode: z.string(),
  feeTitle,
  reference: z.string().optional(),
  payer: z.strictObject({ name: z.string(), bin: binSchema, licenceNo: z.string().optional() }),
  issuerContact: issuerContactSchema.optional(),
  fee: feeAmountWireSchema,
  budget: budgetDetailsSchema.optional(),
  quote,
  dueMicroUsd: decimalString,
  paidMicroUsd: decimalString,
  pendingMicroUsd: decimalString,
  overpaidMicroUsd: decimalString,
  remainingMicroUsd: decimalString,
  payable: z.boolean(),
  lateUntil: instant.optional(),
  createdAt: instant,
  expiresAt: instant,
  options: z.array(paymentOption),
  receiptUrl: z.url().nullable(),
  receiptPageUrl: z.url().nullable(),
});

/** The response schemas by the name the OpenAPI document gives them (`#/components/schemas/<name>`). */
export const namedResponseSchemas = {
  Problem: problemSchema,
  GatewayMessage: gatewayMessageSchema,
  Liveness: livenessSchema,
  Health: healthSchema,
  FeeList: feeListSchema,
  Invoice: invoiceSchema,
  InvoiceList: invoiceListSchema,
  InvoiceDetail: invoiceDetailSchema,
  SignedReceipt: signedReceiptSchema,
  Receipt: receiptSchemaWithDelivery,
  ReceiptList: receiptListSchema,
  PayView: payViewSchema,
} as const;
