/** POST /v1/invoices — a ministry issues a fee invoice (see shared/app/issue-invoice.ts). */
import * as z from 'zod';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { depositXpub, publicBaseUrl } from '../../shared/adapters/config';
import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { dynamoLicenceRegister } from '../../shared/adapters/dynamo/licence-register';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { httpRoute } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { addressWatchQueue } from '../../shared/adapters/work-queues';
import { issueInvoice } from '../../shared/app/issue-invoice';
import { binSchema } from '../../shared/domain/bin';
import { ValidationError } from '../../shared/domain/errors';
import { sampleFeeCatalog } from '../../shared/domain/fees';
import { EXPIRY_MINUTES, invoiceToWire } from '../../shared/domain/invoices';

const body = z.strictObject({
  feeCode: z.string().min(1).max(64),
  payer: z.strictObject({ bin: binSchema, name: z.string().trim().min(1).max(200) }),
  reference: z.string().trim().min(1).max(140).optional(),
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

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

export const handler = httpRoute({ auth: ['ministry'], body }, async (req) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError([{ field: 'Idempotency-Key', message: 'use 1-128 letters, digits or _ . : -' }]);
  }
  const ministry = req.caller.ministry;
  const outcome = await issueInvoice(ministry, req.body, key, {
    catalog: sampleFeeCatalog,
    chains: enabledChains,
    accountXpub: depositXpub(),
    now: () => new Date(),
    invoices: dynamoInvoiceStore,
    rates: dynamoRateStore,
    addressWatch: addressWatchQueue,
    register: dynamoLicenceRegister,
  });
  if (outcome.created) countMetric('InvoicesIssued');
  const wire = invoiceToWire(outcome.invoice, new Date(), publicBaseUrl());
  return {
    status: 201,
    body: wire,
    headers: {
      location: `/v1/invoices/${wire.id}`,
      ...(outcome.created ? {} : { 'idempotent-replayed': 'true' }),
    },
  };
});
