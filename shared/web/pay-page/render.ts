/**
 * The payer's payment page: a server-rendered HTML document in kk/ru/en that holds everything needed to pay without
 * JavaScript (amounts, deposit address, token contract, chain, QR code as inline SVG, EIP-681 link), plus one inline
 * script (copy buttons, countdown, live status, "Pay with wallet") and one inline stylesheet, both allowed by a CSP
 * nonce: no 'unsafe-inline', no third-party origin. Every interpolated value is HTML-escaped; the payer's name and
 * reference are user input.
 */

import QRCode from 'qrcode';
import { EXPLORER_TX_URLS } from '../../domain/explorers';
import type { FeeAmountWire, IssuerContact } from '../../domain/fees';
import { microUsdToKztMinor } from '../../domain/fx';
import { CLIENT_SCRIPT } from './client';
import {
  formatDate,
  formatDateTime,
  formatMinor,
  formatUnits,
  formatUsd,
  LOCALES,
  localizeDecimal,
  plainUnits,
} from './format';
import { fill, LANGUAGE_NAMES, MINISTRY_NAMES, type PayStrings, STRINGS } from './i18n';
import { PAGE_CSS } from './styles';
import { type PayLanguage, type PayOptionView, type PayView, payLanguages } from './view';

export { formatUsd } from './format';
export { STRINGS as PAY_STRINGS } from './i18n';

export interface RenderOptions {
  lang: PayLanguage;
  /** The CSP nonce of this response (see {@link securityHeaders}). */
  nonce: string;
  /** The instant the page is rendered at: the countdown starts from here. */
  now: Date;
}

// base64 / base64url, as `randomBytes(n).toString('base64')` produces: nothing that could break out of a header or
// an attribute.
const NONCE_RE = /^[A-Za-z0-9+/_-]{16,128}={0,2}$/;

/** Refuses a nonce that could break out of the CSP header or the attribute it is placed in. */
export function checkNonce(nonce: string): void {
  if (!NONCE_RE.test(nonce)) throw new RangeError('CSP nonce must be 16+ base64 characters');
}

/**
 * Response headers of the page: a strict nonce-based CSP (no 'unsafe-inline', same-origin fetches only, no framing),
 * no MIME sniffing, no referrer (the URL is a capability), no caching (the status changes), no indexing.
 */
export function securityHeaders(nonce: string): Record<string, string> {
  checkNonce(nonce);
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    'x-robots-tag': 'noindex, nofollow',
    'cache-control': 'no-store',
  };
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string | number | bigint): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe to place inside a <script> element (no `</script>`, no `<!--`, no HTML-significant characters). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The fee as the law sets it, as `lang` writes numbers: `USD 3,000.00`, or `1.5 MRP × 4,325 KZT = KZT 6,487.50`. */
export function formatFeeAmount(
  fee: FeeAmountWire,
  view: Pick<PayView, 'quote'>,
  t: PayStrings,
  lang: PayLanguage,
): string {
  if ('mrp' in fee) {
    const mrpKzt = view.quote.mrpKzt;
    const kzt = view.quote.kztMinor;
    const count = `${localizeDecimal(String(fee.mrp), lang)} ${t.mrpUnit}`;
    if (!mrpKzt) return count;
    const product = fill(t.mrpText, {
      count: localizeDecimal(String(fee.mrp), lang),
      mrpKzt: localizeDecimal(String(mrpKzt), lang),
    });
    return kzt ? `${product} = KZT ${formatMinor(kzt, lang)}` : product;
  }
  return `${fee.currency} ${formatMinor(fee.minor, lang)}`;
}

/** The locked NBK rate line, its rate and date as `lang` writes them. */
export function rateLine(quote: PayView['quote'], t: PayStrings, lang: PayLanguage): string | undefined {
  if (quote.source !== 'NBK' || !quote.rate) return undefined;
  const date = quote.rateDate ? formatDate(quote.rateDate, lang) : '';
  return fill(t.rateText, { rate: localizeDecimal(String(quote.rate), lang), date });
}

/** A remaining time in the page language: `2 d 3 h`, `1 h 5 min`, `4 min 10 s` (the script uses the same rule). */
export function formatDuration(ms: number, t: PayStrings): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const u = t.units;
  if (d > 0) return `${d} ${u.d} ${h} ${u.h}`;
  if (h > 0) return `${h} ${u.h} ${m} ${u.min}`;
  return `${m} ${u.min} ${sec} ${u.s}`;
}

const isPayable = (status: PayView['status']) => status === 'open' || status === 'processing';

/** An `http(s)` or root-relative URL, else undefined: nothing else ever lands in an href. */
function safeHttpUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  return /^(https?:\/\/|\/(?!\/))/i.test(url) ? url : undefined;
}

function issuerOf(view: PayView): Issuer {
  return { ministry: view.ministry, ...(view.issuerContact ? { contact: view.issuerContact } : {}) };
}

function statusHtml(view: PayView, lang: PayLanguage): string {
  const t = STRINGS[lang];
  const partPaid = view.status === 'processing' && view.pendingMicroUsd === '0';
  const parts = [
    `<p class="badge badge-${escapeHtml(view.status)}">${escapeHtml(t.badge[view.status])}</p>`,
    `<p class="status-text">${escapeHtml(partPaid ? t.partPaid : t.statusText[view.status])}</p>`,
  ];
  if (view.status === 'processing' || (view.status === 'open' && view.paidMicroUsd !== '0')) {
    const line = fill(t.amountsLine, {
      paid: formatUsd(view.paidMicroUsd, lang),
      pending: formatUsd(view.pendingMicroUsd, lang),
      remaining: formatUsd(view.remainingMicroUsd, lang),
    });
    parts.push(`<p class="amounts">${escapeHtml(line)}</p>`);
    if (view.quote.rate && view.remainingMicroUsd !== '0') {
      const kzt = formatMinor(microUsdToKztMinor(BigInt(view.remainingMicroUsd), view.quote.rate), lang);
      parts.push(`<p class="amounts">${escapeHtml(fill(t.remainingKzt, { kzt }))}</p>`);
    }
  }
  if (view.exception !== 'none') {
    const line = fill(t.exception[view.exception], {
      overpaid: formatUsd(view.overpaidMicroUsd, lang),
      paid: formatUsd(view.paidMicroUsd, lang),
      due: formatUsd(view.dueMicroUsd, lang),
    });
    parts.push(`<p class="exception">${escapeHtml(line)}</p>`);
  }
  if (view.status === 'expired' || view.status === 'cancelled' || view.exception !== 'none') {
    // The invoice needs its issuer now: say how to reach it right here, not only in the footer.
    parts.push(issuerContactHtml(issuerOf(view), lang));
  }
  if (view.status === 'paid') {
    const receipt = safeHttpUrl(view.receiptPageUrl ?? view.receiptUrl);
    parts.push(
      receipt
        ? `<p class="receipt"><a class="button-link" id="receipt-link" href="${escapeHtml(receipt)}">${escapeHtml(t.receiptLink)}</a></p>`
        : `<p class="muted">${escapeHtml(t.receiptPending)}</p>`,
    );
  }
  return parts.join('\n');
}

/** The QR code of an option's EIP-681 URI as inline SVG, labelled for screen readers. */
export async function qrSvg(uri: string, label: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  // The library's output is markup of our own URI encoded as path data; only the label is inserted, escaped.
  return svg.trim().replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(label)}" focusable="false" `);
}

async function optionHtml(option: PayOptionView, index: number, lang: PayLanguage): Promise<string> {
  const t = STRINGS[lang];
  const amount = formatUnits(BigInt(option.amount), option.decimals, lang);
  const plain = plainUnits(BigInt(option.amount), option.decimals);
  const heading = fill(t.optionHeading, { symbol: option.symbol, chain: option.chain });
  const qrLabel = fill(t.qrLabel, { amount, symbol: option.symbol, chain: option.chain });
  const svg = await qrSvg(option.eip681, qrLabel);
  const id = `opt-${index}`;
  const link = option.eip681.startsWith('ethereum:')
    ? `<p class="field"><a class="eip681" href="${escapeHtml(option.eip681)}">${escapeHtml(t.openLink)}</a><br><span class="mono uri">${escapeHtml(option.eip681)}</span></p>`
    : '';
  return `<article class="card option" id="${id}" aria-labelledby="${id}-h"
  data-chain-id="${escapeHtml(option.chainId)}" data-chain="${escapeHtml(option.chain)}" data-token="${escapeHtml(option.token)}"
  data-to="${escapeHtml(option.depositAddress)}" data-amount="${escapeHtml(option.amount)}" data-symbol="${escapeHtml(option.symbol)}"
  data-display="${escapeHtml(amount)}">
<h3 id="${id}-h">${escapeHtml(heading)}</h3>
<div class="qr">${svg}<p>${escapeHtml(t.qrHint)}</p></div>
<div class="details">
  <div class="field"><span class="name" id="${id}-amount-l">${escapeHtml(t.amount)}</span>
    <div class="row"><span class="mono amount-value" id="${id}-amount">${escapeHtml(amount)} ${escapeHtml(option.symbol)}</span>
    <button type="button" hidden data-copy="${escapeHtml(plain)}" aria-label="${escapeHtml(t.copyAmount)}">${escapeHtml(t.copy)}</button></div></div>
  <div class="field"><span class="name" id="${id}-addr-l">${escapeHtml(t.depositAddress)}</span>
    <div class="row"><span class="mono address-value" id="${id}-addr">${escapeHtml(option.depositAddress)}</span>
    <button type="button" hidden data-copy="${escapeHtml(option.depositAddress)}" aria-label="${escapeHtml(t.copyAddress)}">${escapeHtml(t.copy)}</button></div></div>
  <dl class="facts facts-small">
    <dt>${escapeHtml(t.network)}</dt><dd>${escapeHtml(option.chain)} (${escapeHtml(fill(t.chainId, { id: option.chainId }))})</dd>
    <dt>${escapeHtml(t.tokenContract)}</dt><dd class="mono">${escapeHtml(option.symbol)} ${escapeHtml(option.token)}</dd>
  </dl>
  ${link}
  <div class="wallet" hidden>
    <button type="button" class="pay" hidden disabled>${escapeHtml(t.payWithWallet)}</button>
    <p class="wallet-msg" role="status"></p>
  </div>
</div>
</article>`;
}

function languageNav(current: PayLanguage, t: PayStrings): string {
  const items = payLanguages
    .map(
      (l) =>
        `<li><a href="?lang=${l}" hreflang="${l}" lang="${l}"${l === current ? ' aria-current="page"' : ''}>${escapeHtml(LANGUAGE_NAMES[l])}</a></li>`,
    )
    .join('');
  return `<nav class="langs" aria-label="${escapeHtml(t.languageNav)}"><ul>${items}</ul></nav>`;
}

/** A ministry's name in `lang` (the code itself when the sample catalog does not name it). */
export function ministryName(code: string, lang: PayLanguage): string {
  return MINISTRY_NAMES[code]?.[lang] ?? code;
}

/** The issuer of an invoice, as its pages name it: the ministry and the contact the invoice recorded. */
export interface Issuer {
  ministry: string;
  contact?: IssuerContact;
}

/** The links of an issuer contact: website, mailbox, phone (each built here from checked text, never taken as HTML). */
export function contactLinks(contact: IssuerContact | undefined): { href: string; text: string }[] {
  const links: { href: string; text: string }[] = [];
  if (contact?.url && /^https:\/\//i.test(contact.url)) links.push({ href: contact.url, text: contact.url });
  if (contact?.email) links.push({ href: `mailto:${contact.email}`, text: contact.email });
  if (contact?.phone) links.push({ href: `tel:${contact.phone.replace(/[^+0-9]/g, '')}`, text: contact.phone });
  return links;
}

/** How to reach the issuer: its name and each way the invoice's contact gives (a paragraph of the page). */
export function issuerContactHtml(issuer: Issuer, lang: PayLanguage, id = 'issuer-contact'): string {
  const t = STRINGS[lang];
  const links = contactLinks(issuer.contact)
    .map((l) => ` <a href="${escapeHtml(l.href)}" rel="noopener noreferrer">${escapeHtml(l.text)}</a>`)
    .join('');
  return `<p class="contact" id="${id}">${escapeHtml(t.contactIssuer)} ${escapeHtml(ministryName(issuer.ministry, lang))}${links}</p>`;
}

/**
 * A whole page in the payment pages' frame: header with the language switch, `body` in <main>, and a footer with the
 * link notice and, when the page is about an invoice, how to reach its issuer.
 */
export function documentHtml(
  lang: PayLanguage,
  nonce: string,
  title: string,
  body: string,
  script: string | undefined,
  t: PayStrings,
  issuer?: Issuer,
): string {
  const n = escapeHtml(nonce);
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style nonce="${n}">${PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#main">${escapeHtml(t.skipToPay)}</a>
<header class="top"><div class="wrap"><span class="brand"><b>stablefee</b> ${escapeHtml(t.brand)}</span>${languageNav(lang, t)}</div></header>
<main id="main" class="wrap">
${body}
</main>
<footer class="wrap">${issuer ? issuerContactHtml(issuer, lang, 'footer-contact') : ''}<p>${escapeHtml(t.linkNotice)}</p></footer>
${script === undefined ? '' : `<script nonce="${n}">${script}</script>`}
</body>
</html>
`;
}

/** The invoice's facts (number, payer, amounts, rate) and, for budget revenue, its budget details, as HTML. */
function invoiceFactsHtml(view: PayView, lang: PayLanguage, dueUsd: string): { factsHtml: string; budget: string } {
  const t = STRINGS[lang];
  const facts: [string, string, string?][] = [
    [t.invoiceNo, view.id, 'mono'],
    ...(view.reference ? [[t.reference, view.reference] as [string, string]] : []),
    [t.payer, view.payer.name],
    [t.bin, view.payer.bin, 'mono'],
    ...(view.payer.licenceNo ? [[t.licenceNo, view.payer.licenceNo, 'mono'] as [string, string, string]] : []),
    [t.feeAmount, formatFeeAmount(view.fee, view, t, lang)],
    [t.amountDueUsd, dueUsd],
  ];
  const rate = rateLine(view.quote, t, lang);
  if (rate) facts.push([t.exchangeRate, rate]);
  const factsHtml = facts
    .map(([k, v, cls]) => `<dt>${escapeHtml(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${escapeHtml(v)}</dd>`)
    .join('\n');
  const budget = view.budget
    ? `<h3 class="sub">${escapeHtml(t.budgetHeading)}</h3>
<dl class="facts">
<dt>${escapeHtml(t.kbk)}</dt><dd class="mono">${escapeHtml(view.budget.kbk)}</dd>
<dt>${escapeHtml(t.knp)}</dt><dd class="mono">${escapeHtml(view.budget.knp)}</dd>
<dt>${escapeHtml(t.kbe)}</dt><dd class="mono">${escapeHtml(view.budget.kbe)}</dd>
<dt>${escapeHtml(t.beneficiaryBin)}</dt><dd class="mono">${escapeHtml(view.budget.beneficiaryBin)}</dd>
</dl>`
    : '';

  return { factsHtml, budget };
}

/** The page's script: the live-status client with the strings and view it needs (inlined under the CSP nonce). */
function clientScript(view: PayView, lang: PayLanguage): string {
  const t = STRINGS[lang];
  const issuer = { name: ministryName(view.ministry, lang), links: contactLinks(view.issuerContact) };
  const clientView = {
    id: view.id,
    status: view.status,
    exception: view.exception,
    dueMicroUsd: view.dueMicroUsd,
    paidMicroUsd: view.paidMicroUsd,
    pendingMicroUsd: view.pendingMicroUsd,
    overpaidMicroUsd: view.overpaidMicroUsd,
    remainingMicroUsd: view.remainingMicroUsd,
    payable: view.payable,
    receiptUrl: safeHttpUrl(view.receiptUrl) ?? null,
    receiptPageUrl: safeHttpUrl(view.receiptPageUrl) ?? null,
  };
  const clientStrings = {
    badge: t.badge,
    statusText: t.statusText,
    partPaid: t.partPaid,
    contactIssuer: t.contactIssuer,
    sentHeading: t.sentHeading,
    amountsLine: t.amountsLine,
    exception: t.exception,
    receiptLink: t.receiptLink,
    receiptPending: t.receiptPending,
    timeLeft: t.timeLeft,
    timeOver: t.timeOver,
    units: t.units,
    copied: t.copied,
    copyFailed: t.copyFailed,
    noWallet: t.noWallet,
    walletConnecting: t.walletConnecting,
    walletSwitching: t.walletSwitching,
    walletSending: t.walletSending,
    txSent: t.txSent,
    viewExplorer: t.viewExplorer,
    errRejected: t.errRejected,
    errUnknownChain: t.errUnknownChain,
    errWrongChain: t.errWrongChain,
    errPending: t.errPending,
    errNoAccount: t.errNoAccount,
    errGeneric: t.errGeneric,
  };
  return `var PAY = ${scriptJson({ t: clientStrings, view: clientView, explorers: EXPLORER_TX_URLS, issuer, locale: LOCALES[lang] })};\n${CLIENT_SCRIPT}`;
}

/**
 * The notices beside the payment options, exactly one shown when the options are hidden: payments in flight cover the
 * amount, or the invoice takes no more payments (a paid invoice needs neither); and, while an expired part-paid
 * invoice still takes the rest, the late-window notice above the options.
 */
function payNotices(view: PayView, lang: PayLanguage): string {
  const t = STRINGS[lang];
  const covered = !view.payable && isPayable(view.status) && view.remainingMicroUsd === '0';
  const notPayable = !view.payable && !covered && view.status !== 'paid';
  const late = view.lateUntil
    ? fill(t.latePayable, {
        remaining: formatUsd(view.remainingMicroUsd, lang),
        until: formatDateTime(view.lateUntil, lang),
      })
    : '';
  return [
    `<p class="notice" id="covered"${covered ? '' : ' hidden'}>${escapeHtml(t.coveredInFlight)}</p>`,
    `<p class="notice" id="not-payable"${notPayable ? '' : ' hidden'}>${escapeHtml(t.notPayable)}</p>`,
    `<p class="notice" id="late"${view.lateUntil && view.payable ? '' : ' hidden'}>${escapeHtml(late)}</p>`,
  ].join('\n');
}

/**
 * On a phone, with the script running, one option at a time behind this chooser (radio buttons: token and network);
 * without the script, or on a wider screen, every option shows and the chooser does not.
 */
function chooserHtml(view: PayView, t: PayStrings): string {
  if (view.options.length < 2) return '';
  const choices = view.options
    .map(
      (o, i) =>
        `<label><input type="radio" name="pay-option" value="opt-${i}"${i === 0 ? ' checked' : ''}> ${escapeHtml(o.symbol)} · ${escapeHtml(o.chain)}</label>`,
    )
    .join('\n');
  return `<fieldset class="chooser jsonly"><legend>${escapeHtml(t.chooseOption)}</legend>
${choices}
</fieldset>`;
}

/** The notices and the payment options (`#pay`): the part of the page that follows what is still due. */
async function payPartHtml(view: PayView, lang: PayLanguage): Promise<string> {
  const t = STRINGS[lang];
  const options = await Promise.all(view.options.map((o, i) => optionHtml(o, i, lang)));
  return `${payNotices(view, lang)}
<section id="pay" aria-labelledby="pay-h" data-remaining="${escapeHtml(view.remainingMicroUsd)}" data-payable="${view.payable}"${view.payable ? '' : ' hidden'}>
<div class="card">
<h2 id="pay-h">${escapeHtml(t.howToPay)}</h2>
<p>${escapeHtml(t.howIntro)}</p>
<p class="notice">${escapeHtml(t.warnNetwork)}</p>
</div>
${chooserHtml(view, t)}
<div class="options">
${options.join('\n')}
</div>
</section>`;
}

/**
 * Only the notices and payment options of `view` (`GET /pay/{id}?part=options`): what the page's script swaps in when
 * the amount still due changes. No script, no style: the fragment is parsed inertly and adopted by the open page.
 */
export async function renderPayOptions(view: PayView, opts: { lang: PayLanguage }): Promise<string> {
  return payPartHtml(view, opts.lang);
}

/** The full payment page of `view` in `opts.lang`. */
export async function renderPayPage(view: PayView, opts: RenderOptions): Promise<string> {
  checkNonce(opts.nonce);
  const t = STRINGS[opts.lang];
  const feeTitle = view.feeTitle[opts.lang];
  const dueUsd = `USD ${formatUsd(view.dueMicroUsd, opts.lang)}`;

  const { factsHtml, budget } = invoiceFactsHtml(view, opts.lang, dueUsd);

  const left = Date.parse(view.expiresAt) - opts.now.getTime();
  const countdown = left > 0 ? fill(t.timeLeft, { time: formatDuration(left, t) }) : t.timeOver;
  const deadline = `<p class="deadline" id="deadline"${isPayable(view.status) ? '' : ' hidden'}>${escapeHtml(t.payBy)}: <time datetime="${escapeHtml(view.expiresAt)}">${escapeHtml(formatDateTime(view.expiresAt, opts.lang))}</time> (${escapeHtml(t.timezone)}) — <span class="left" id="countdown" role="timer" data-expires="${escapeHtml(view.expiresAt)}">${escapeHtml(countdown)}</span></p>`;

  const body = `<section class="card" aria-labelledby="title">
<h1 id="title">${escapeHtml(feeTitle)}</h1>
<p class="issuer">${escapeHtml(t.issuedBy)}: ${escapeHtml(ministryName(view.ministry, opts.lang))}</p>
<div class="due"><span class="label">${escapeHtml(t.amountDue)}</span><span class="value" id="amount-due">${escapeHtml(dueUsd)}</span></div>
${deadline}
<h2 class="sub">${escapeHtml(t.invoiceHeading)}</h2>
<dl class="facts">
${factsHtml}
</dl>
${budget}
</section>
<section class="card" id="status" aria-labelledby="status-h">
<h2 id="status-h">${escapeHtml(t.statusHeading)}</h2>
<div id="status-body" aria-live="polite">
${statusHtml(view, opts.lang)}
</div>
<div id="sent-tx" class="wallet-msg ok" role="status" hidden></div>
<p id="status-error" class="error" role="status" hidden>${escapeHtml(t.statusUnavailable)}</p>
<p class="notice nojs" id="no-script">${escapeHtml(t.noScript)}</p>
</section>
${await payPartHtml(view, opts.lang)}
<div id="announcer" class="sr-only" aria-live="polite"></div>`;

  const script = clientScript(view, opts.lang);
  return documentHtml(opts.lang, opts.nonce, `${feeTitle} — ${t.htmlTitle}`, body, script, t, issuerOf(view));
}

/** The page for an unknown invoice id (served with 404). */
export function notFoundPage(lang: PayLanguage, nonce: string): string {
  checkNonce(nonce);
  const t = STRINGS[lang];
  const body = `<section class="card" aria-labelledby="title">
<h1 id="title">${escapeHtml(t.notFoundTitle)}</h1>
<p>${escapeHtml(t.notFoundText)}</p>
</section>`;
  return documentHtml(lang, nonce, t.notFoundTitle, body, undefined, t);
}
