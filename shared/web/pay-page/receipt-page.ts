/**
 * The payer's receipt as a page a person reads and prints (`GET /pay/{id}/receipt`, kk/ru/en): receipt number,
 * ministry, fee with its budget codes, payer, each payment with its transaction hash and explorer link, when it was
 * paid, and how to verify the signature offline (the signer address, the signed JSON and a QR code to it, and in the
 * same small print the reference-data versions the receipt signs). The JSON
 * (`GET /v1/pay/{id}/receipt`) stays the signed document; this page only shows it.
 */
import { explorerTxUrl } from '../../domain/explorers';
import type { FeeTitle, IssuerContact } from '../../domain/fees';
import type { Receipt } from '../../domain/receipts';
import { formatDateTime, formatUnits, formatUsd } from './format';
import { fill, STRINGS } from './i18n';
import { RECEIPT_STRINGS, type ReceiptStrings } from './receipt-i18n';
import { checkNonce, documentHtml, escapeHtml, formatFeeAmount, ministryName, qrSvg, rateLine } from './render';
import type { PayLanguage } from './view';

/** What the receipt page shows beside the signed receipt: the invoice's facts in the reader's language. */
export interface ReceiptPageContext {
  lang: PayLanguage;
  nonce: string;
  /** The fee's title in kk, ru and en (as the invoice recorded it). */
  feeTitle: FeeTitle;
  /** Display names of the invoice's chains and tokens, by `chainId:token` (lower-case token). */
  tokens: Record<string, { chain: string; symbol: string }>;
  /** How the payer reaches the issuer, as the invoice recorded it. */
  issuerContact?: IssuerContact;
  /** The payer's licence number as the invoice recorded it from the register (the signed receipt does not carry it). */
  licenceNo?: string;
  /** Absolute URL of the signed JSON (`…/v1/pay/{id}/receipt`). */
  jsonUrl: string;
  /** The invoice's payment page. */
  payUrl: string;
}

/** The receipt page of `receipt`. */
export async function renderReceiptPage(receipt: Receipt, ctx: ReceiptPageContext): Promise<string> {
  checkNonce(ctx.nonce);
  const t = STRINGS[ctx.lang];
  const r = RECEIPT_STRINGS[ctx.lang];
  const title = fill(r.title, { no: receipt.receiptNo });
  const body = `<section class="card receipt-doc" aria-labelledby="title">
<h1 id="title">${escapeHtml(title)}</h1>
<p class="issuer">${escapeHtml(ministryName(receipt.ministry, ctx.lang))}</p>
<div class="due"><span class="label">${escapeHtml(r.paid)}</span><span class="value" id="amount-paid">USD ${escapeHtml(formatUsd(receipt.paidMicroUsd, ctx.lang))}</span></div>
<dl class="facts">
${factsHtml(receipt, ctx, r)}
</dl>
${budgetHtml(receipt, ctx.lang)}
</section>
<section class="card" aria-labelledby="payments-h">
<h2 id="payments-h">${escapeHtml(r.paymentsHeading)}</h2>
${paymentsHtml(receipt, ctx, r)}
</section>
${await verifyHtml(receipt, ctx, r)}
<p class="no-print"><a href="${escapeHtml(ctx.payUrl)}">${escapeHtml(r.backToInvoice)}</a></p>`;
  return documentHtml(ctx.lang, ctx.nonce, `${title} — ${t.htmlTitle}`, body, undefined, t, {
    ministry: receipt.ministry,
    ...(ctx.issuerContact ? { contact: ctx.issuerContact } : {}),
  });
}

/** The page for an invoice whose receipt is not issued yet (served with 404). */
export function receiptNotReadyPage(lang: PayLanguage, nonce: string, payUrl: string): string {
  checkNonce(nonce);
  const r = RECEIPT_STRINGS[lang];
  const body = `<section class="card" aria-labelledby="title">
<h1 id="title">${escapeHtml(r.notReadyTitle)}</h1>
<p>${escapeHtml(r.notReadyText)}</p>
<p><a href="${escapeHtml(payUrl)}">${escapeHtml(r.backToInvoice)}</a></p>
</section>`;
  return documentHtml(lang, nonce, r.notReadyTitle, body, undefined, STRINGS[lang]);
}

function factsHtml(receipt: Receipt, ctx: ReceiptPageContext, r: ReceiptStrings): string {
  const t = STRINGS[ctx.lang];
  const rows: [string, string, string?][] = [
    [r.receiptNo, receipt.receiptNo, 'mono'],
    [r.fee, `${ctx.feeTitle[ctx.lang]} (${receipt.feeCode})`],
    [t.feeAmount, formatFeeAmount(receipt.fee, receipt, t, ctx.lang)],
    [t.amountDueUsd, `USD ${formatUsd(receipt.dueMicroUsd, ctx.lang)}`],
    ...(receipt.overpaidMicroUsd !== '0'
      ? [[r.overpaid, `USD ${formatUsd(receipt.overpaidMicroUsd, ctx.lang)}`] as [string, string]]
      : []),
    [t.payer, receipt.payer.name],
    [t.bin, receipt.payer.bin, 'mono'],
    ...(ctx.licenceNo ? [[t.licenceNo, ctx.licenceNo, 'mono'] as [string, string, string]] : []),
    [t.invoiceNo, receipt.invoiceId, 'mono'],
    [r.paidAt, `${formatDateTime(receipt.paidAt, ctx.lang)} (${t.timezone})`],
    [r.issuedAt, `${formatDateTime(receipt.issuedAt, ctx.lang)} (${t.timezone})`],
  ];
  const rate = rateLine(receipt.quote, t, ctx.lang);
  if (rate) rows.push([t.exchangeRate, rate]);
  return rows
    .map(([k, v, cls]) => `<dt>${escapeHtml(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${escapeHtml(v)}</dd>`)
    .join('\n');
}

function budgetHtml(receipt: Receipt, lang: PayLanguage): string {
  const t = STRINGS[lang];
  const b = receipt.budget;
  if (!b) return '';
  return `<h2 class="sub">${escapeHtml(t.budgetHeading)}</h2>
<dl class="facts">
<dt>${escapeHtml(t.kbk)}</dt><dd class="mono">${escapeHtml(b.kbk)}</dd>
<dt>${escapeHtml(t.knp)}</dt><dd class="mono">${escapeHtml(b.knp)}</dd>
<dt>${escapeHtml(t.kbe)}</dt><dd class="mono">${escapeHtml(b.kbe)}</dd>
<dt>${escapeHtml(t.beneficiaryBin)}</dt><dd class="mono">${escapeHtml(b.beneficiaryBin)}</dd>
</dl>`;
}

function paymentsHtml(receipt: Receipt, ctx: ReceiptPageContext, r: ReceiptStrings): string {
  const rows = receipt.payments.map((p) => {
    const known = ctx.tokens[`${p.chainId}:${p.token.toLowerCase()}`];
    const explorer = explorerTxUrl(p.chainId, p.txHash);
    const tx = explorer
      ? `<a class="mono tx-hash" href="${escapeHtml(explorer)}" rel="noopener noreferrer">${escapeHtml(p.txHash)}</a>`
      : `<span class="mono tx-hash">${escapeHtml(p.txHash)}</span>`;
    return `<tr>
<td>${escapeHtml(known?.chain ?? `chain ${p.chainId}`)}</td>
<td class="num">${escapeHtml(formatUnits(BigInt(p.amount), p.decimals, ctx.lang))} ${escapeHtml(known?.symbol ?? p.token)}</td>
<td class="num">USD ${escapeHtml(formatUsd(p.microUsd, ctx.lang))}</td>
<td>${tx}</td>
</tr>`;
  });
  return `<div class="table-wrap"><table class="payments">
<thead><tr><th scope="col">${escapeHtml(r.network)}</th><th scope="col">${escapeHtml(r.amount)}</th><th scope="col">${escapeHtml(r.usd)}</th><th scope="col">${escapeHtml(r.transaction)}</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

async function verifyHtml(receipt: Receipt, ctx: ReceiptPageContext, r: ReceiptStrings): Promise<string> {
  const svg = await qrSvg(ctx.jsonUrl, r.qrLabel);
  const command = `npx stablefee verify-receipt receipt.json --signer ${receipt.signer}`;
  return `<section class="card verify" aria-labelledby="verify-h">
<h2 id="verify-h">${escapeHtml(r.verifyHeading)}</h2>
<div class="verify-grid">
<div class="qr">${svg}<p>${escapeHtml(r.qrHint)}</p></div>
<div>
<p>${escapeHtml(r.verifyText)}</p>
<dl class="facts">
<dt>${escapeHtml(r.signer)}</dt><dd class="mono" id="signer">${escapeHtml(receipt.signer)}</dd>
<dt>${escapeHtml(r.hash)}</dt><dd class="mono">${escapeHtml(receipt.hash)}</dd>
${versionsHtml(receipt, r)}</dl>
<p><a class="button-link no-print" href="${escapeHtml(ctx.jsonUrl)}" download="receipt-${escapeHtml(receipt.receiptNo)}.json">${escapeHtml(r.downloadJson)}</a></p>
<p>${escapeHtml(r.verifyCommand)}</p>
<p class="mono uri">${escapeHtml(command)}</p>
</div>
</div>
</section>`;
}

/** The reference-data versions the receipt signs, in the signature's small print (none on receipts from before). */
function versionsHtml(receipt: Receipt, r: ReceiptStrings): string {
  const versions = receipt.pricedWith;
  if (!versions) return '';
  const row = (label: string, id: string) => `<dt>${escapeHtml(label)}</dt><dd class="mono">${escapeHtml(id)}</dd>\n`;
  return row(r.feeVersion, versions.fee) + (versions.mrp ? row(r.mrpVersion, versions.mrp) : '');
}
