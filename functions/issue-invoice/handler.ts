/** POST /v1/invoices — a ministry issues a fee invoice (see shared/app/issue-invoice.ts). */
import * as z from 'zod';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { serviceNow } from '../../shared/adapters/clock';
import { depositXpub, publicBaseUrl } from '../../shared/adapters/config';
import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { dynamoLicenceRegister } from '../../shared/adapters/dynamo/licence-register';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { httpRoute } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { addressWatchQueue, payerMailQueue } from '../../shared/adapters/work-queues';
import { issueInvoice } from '../../shared/app/issue-invoice';
import { binSchema } from '../../shared/domain/bin';
import { ValidationError } from '../../shared/domain/errors';
import { EXPIRY_MINUTES, invoiceToWire } from '../../shared/domain/invoices';
import { languages } from '../../shared/domain/languages';
import { payerEmailSchema } from '../../shared/domain/payer-mail';

const body = z.strictObject({
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

const notifyPayer = payerMailQueue();

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

export const handler = httpRoute({ auth: ['ministry'], body }, async (req) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError([{ field: 'Idempotency-Key', message: 'use 1-128 letters, digits or _ . : -' }]);
  }
  const ministry = req.caller.ministry;
  const outcome = await issueInvoice(ministry, req.body, key, {
    reference: dynamoReferenceData,
    chains: enabledChains,
    accountXpub: depositXpub(),
    now: serviceNow,
    invoices: dynamoInvoiceStore,
    rates: dynamoRateStore,
    addressWatch: addressWatchQueue,
    notifyPayer,
    register: dynamoLicenceRegister,
  });
  if (outcome.created) countMetric('InvoicesIssued');
  const wire = invoiceToWire(outcome.invoice, serviceNow(), publicBaseUrl());
  return {
    status: 201,
    body: wire,
    headers: {
      location: `/v1/invoices/${wire.id}`,
      ...(outcome.created ? {} : { 'idempotent-replayed': 'true' }),
    },
  };
});
