/** POST /v1/invoices/{id}/cancel — a ministry cancels its own invoice (see shared/app/cancel-invoice.ts). */
import { publicBaseUrl } from '../../shared/adapters/config';
import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { httpRoute } from '../../shared/adapters/http';
import { cancelInvoice } from '../../shared/app/cancel-invoice';
import { NotFoundError } from '../../shared/domain/errors';
import { INVOICE_ID_PATTERN, invoiceToWire } from '../../shared/domain/invoices';

export const handler = httpRoute({ auth: ['ministry'] }, async (req) => {
  const id = req.params.id ?? '';
  if (!INVOICE_ID_PATTERN.test(id)) throw new NotFoundError(`No invoice ${id}.`);
  const invoice = await cancelInvoice(id, req.caller.ministry, { invoices: dynamoInvoiceStore, now: () => new Date() });
  return { status: 200, body: invoiceToWire(invoice, new Date(), publicBaseUrl()) };
});
