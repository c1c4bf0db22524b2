/** POST /v1/invoices/{id}/cancel — a ministry cancels its own invoice while nothing is paid or pending. */
import { publicBaseUrl } from '../../shared/adapters/config';
import { cancelInvoice } from '../../shared/adapters/dynamo/invoices';
import { httpRoute } from '../../shared/adapters/http';
import { NotFoundError } from '../../shared/domain/errors';
import { INVOICE_ID_PATTERN, invoiceToWire } from '../../shared/domain/invoices';

export const handler = httpRoute({ auth: ['ministry'] }, async (req) => {
  const id = req.params.id ?? '';
  if (!INVOICE_ID_PATTERN.test(id)) throw new NotFoundError(`No invoice ${id}.`);
  const now = new Date();
  const invoice = await cancelInvoice(id, req.caller.ministry, now);
  return { status: 200, body: invoiceToWire(invoice, now, publicBaseUrl()) };
});
