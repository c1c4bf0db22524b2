/**
 * GET /v1/invoices/{id} and GET /v1/invoices — a ministry reads its own invoices, an auditor reads all. Another
 * ministry's invoice is "not found", never "forbidden", so ids of other ministries cannot be probed.
 */
import { invoicesQuery } from '../../shared/adapters/api/requests';
import { publicBaseUrl } from '../../shared/adapters/config';
import { getInvoice, listInvoices } from '../../shared/adapters/dynamo/invoices';
import { dynamoPayerMailLog } from '../../shared/adapters/dynamo/payer-mail';
import { dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { sweepsOfInvoice } from '../../shared/adapters/dynamo/sweeps';
import { transfersOfInvoice, transferToWire } from '../../shared/adapters/dynamo/transfers';
import { httpRoute, httpRoutes, readScope } from '../../shared/adapters/http';
import { NotFoundError } from '../../shared/domain/errors';
import { INVOICE_ID_PATTERN, invoiceToWire } from '../../shared/domain/invoices';
import { refundToWire } from '../../shared/domain/refunds';
import { invoiceSweepToWire } from '../../shared/domain/sweeps';

const options = { auth: ['ministry', 'auditor'] as const, query: invoicesQuery };

const byId = httpRoute(options, async (req) => {
  const now = new Date();
  const ministry = readScope(req.caller);
  const id = req.params.id ?? '';
  const invoice = INVOICE_ID_PATTERN.test(id) ? await getInvoice(id) : undefined;
  if (!invoice || (ministry && invoice.ministry !== ministry)) throw new NotFoundError(`No invoice ${id}.`);
  const [transfers, refunds, sweeps, mail] = await Promise.all([
    transfersOfInvoice(invoice.id),
    dynamoRefundStore.ofSource({ kind: 'invoice', invoiceId: invoice.id }),
    sweepsOfInvoice(invoice.id),
    invoice.payer.email ? dynamoPayerMailLog.forInvoice(invoice.id) : [],
  ]);
  return {
    status: 200,
    body: {
      ...invoiceToWire(invoice, now, publicBaseUrl()),
      transfers: transfers.map(transferToWire),
      refunds: refunds.map(refundToWire),
      sweeps: sweeps.map((s) => invoiceSweepToWire(s, invoice.id)),
      // What the payer was sent (the address is the invoice's; a rejection says why).
      mail: mail.map(({ template, state, at, reason }) => ({ template, state, at, ...(reason ? { reason } : {}) })),
    },
  };
});

const list = httpRoute(options, async (req) => {
  const now = new Date();
  const ministry = readScope(req.caller);
  const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
  const page = await listInvoices({ ...req.query, from: iso(req.query.from), to: iso(req.query.to), ministry }, now);
  return {
    status: 200,
    body: { items: page.items.map((i) => invoiceToWire(i, now, publicBaseUrl())), nextCursor: page.nextCursor },
  };
});

export const handler = httpRoutes({ 'GET /v1/invoices': list, 'GET /v1/invoices/{id}': byId });
