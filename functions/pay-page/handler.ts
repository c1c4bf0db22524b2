/**
 * GET /pay/{id} — the payment page (server-rendered HTML in kk/ru/en with a strict nonce-based CSP) and
 * GET /v1/pay/{id} — its JSON, which the page polls for live status; GET /pay/{id}/receipt — the receipt as a page
 * to read and print, and GET /v1/pay/{id}/receipt — the signed receipt itself. Public: the invoice id is the
 * capability.
 */
import { randomBytes } from 'node:crypto';
import { payPageQuery, payQuery } from '../../shared/adapters/api/requests';
import { publicBaseUrl } from '../../shared/adapters/config';
import { getInvoice } from '../../shared/adapters/dynamo/invoices';
import { getReceipt } from '../../shared/adapters/dynamo/receipts';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { NotFoundError } from '../../shared/domain/errors';
import { INVOICE_ID_PATTERN } from '../../shared/domain/invoices';
import { receiptNotReadyPage, renderReceiptPage } from '../../shared/web/pay-page/receipt-page';
import { notFoundPage, renderPayOptions, renderPayPage, securityHeaders } from '../../shared/web/pay-page/render';
import { choosePayLanguage, toPayView } from '../../shared/web/pay-page/view';

/** The invoice behind a payment link, or undefined (a malformed id never touches the table). */
async function invoiceOf(id: string) {
  return INVOICE_ID_PATTERN.test(id) ? await getInvoice(id) : undefined;
}

const page = httpRoute({ auth: 'public', query: payPageQuery }, async (req) => {
  const invoice = await invoiceOf(req.params.id ?? '');
  const lang = choosePayLanguage(req.query.lang, req.headers['accept-language']);
  const nonce = randomBytes(16).toString('base64');
  const headers = { ...securityHeaders(nonce), 'content-language': lang, vary: 'Accept-Language' };
  if (!invoice) {
    return { status: 404, contentType: 'text/html; charset=utf-8', body: notFoundPage(lang, nonce), headers };
  }
  const now = new Date();
  const view = toPayView(invoice, now, publicBaseUrl());
  const html = req.query.part
    ? await renderPayOptions(view, { lang })
    : await renderPayPage(view, { lang, nonce, now });
  return { status: 200, contentType: 'text/html; charset=utf-8', body: html, headers };
});

const view = httpRoute({ auth: 'public', query: payQuery }, async (req) => {
  const id = req.params.id ?? '';
  const invoice = await invoiceOf(id);
  if (!invoice) throw new NotFoundError(`No invoice ${id}.`);
  return { status: 200, body: toPayView(invoice, new Date(), publicBaseUrl()) };
});

// The receipt as a page to read and print; the signed JSON below stays the document.
const receiptPage = httpRoute({ auth: 'public', query: payQuery }, async (req) => {
  const id = req.params.id ?? '';
  const invoice = await invoiceOf(id);
  const lang = choosePayLanguage(req.query.lang, req.headers['accept-language']);
  const nonce = randomBytes(16).toString('base64');
  const headers = { ...securityHeaders(nonce), 'content-language': lang, vary: 'Accept-Language' };
  const html = (status: number, body: string) => ({ status, contentType: 'text/html; charset=utf-8', body, headers });
  if (!invoice) return html(404, notFoundPage(lang, nonce));
  const base = publicBaseUrl();
  const stored = invoice.receiptId ? await getReceipt(invoice.receiptId) : undefined;
  if (!stored) return html(404, receiptNotReadyPage(lang, nonce, `${base}/pay/${id}?lang=${lang}`));
  const tokens = Object.fromEntries(
    invoice.options.map((o) => [`${o.chainId}:${o.token.toLowerCase()}`, { chain: o.chain, symbol: o.symbol }]),
  );
  const page = await renderReceiptPage(stored.receipt, {
    lang,
    nonce,
    feeTitle: invoice.feeTitle,
    ...(invoice.payer.licenceNo ? { licenceNo: invoice.payer.licenceNo } : {}),
    ...(invoice.issuerContact ? { issuerContact: invoice.issuerContact } : {}),
    tokens,
    jsonUrl: `${base}/v1/pay/${id}/receipt`,
    payUrl: `${base}/pay/${id}?lang=${lang}`,
  });
  return html(200, page);
});

// The payer's own receipt: the invoice link is the capability.
const receipt = httpRoute({ auth: 'public', query: payQuery }, async (req) => {
  const id = req.params.id ?? '';
  const invoice = await invoiceOf(id);
  const stored = invoice?.receiptId ? await getReceipt(invoice.receiptId) : undefined;
  if (!stored) throw new NotFoundError(`No receipt for invoice ${id} yet.`);
  return { status: 200, body: stored.receipt };
});

export const handler = httpRoutes({
  'GET /pay/{id}': page,
  'GET /v1/pay/{id}': view,
  'GET /pay/{id}/receipt': receiptPage,
  'GET /v1/pay/{id}/receipt': receipt,
});
