/**
 * The payer's mails in kk/ru/en: the invoice link when it is issued, the receipt page when it is paid. Plain text
 * first (what every client shows), with a minimal HTML twin; no image, script or outside resource.
 */
import type { Invoice } from '../../domain/invoices';
import type { Language } from '../../domain/languages';
import type { PayerMailTemplate } from '../../domain/payer-mail';
import { formatDateTime, formatUsd } from '../pay-page/format';
import { fill, MINISTRY_NAMES } from '../pay-page/i18n';
import { contactLinks, escapeHtml } from '../pay-page/render';

interface MailStrings {
  issuedSubject: string;
  issuedBody: string[];
  paidSubject: string;
  paidBody: string[];
  contact: string;
  footer: string;
}

const STRINGS: Record<Language, MailStrings> = {
  en: {
    issuedSubject: 'Invoice for {fee}',
    issuedBody: [
      '{ministry} has issued an invoice to {payer} (BIN {bin}) for {fee}.',
      'Amount due: USD {amount}, payable in USDT or USDC until {expires} (Astana time).',
      'Pay here: {link}',
    ],
    paidSubject: 'Receipt for {fee}',
    paidBody: [
      'The invoice of {ministry} to {payer} (BIN {bin}) for {fee} is paid.',
      'Your receipt: {link}',
      'The receipt is signed by the service; the page shows how to verify it.',
    ],
    contact: 'Questions about the invoice: {url}',
    footer: 'This message was sent automatically; replies are not read.',
  },
  ru: {
    issuedSubject: 'Счёт на оплату: {fee}',
    issuedBody: [
      '{ministry} выставил(о) счёт {payer} (БИН {bin}): {fee}.',
      'К оплате: USD {amount} в USDT или USDC до {expires} (время Астаны).',
      'Оплатить: {link}',
    ],
    paidSubject: 'Квитанция: {fee}',
    paidBody: [
      'Счёт {ministry} для {payer} (БИН {bin}) за «{fee}» оплачен.',
      'Квитанция: {link}',
      'Квитанция подписана сервисом; на странице описано, как проверить подпись.',
    ],
    contact: 'Вопросы по счёту: {url}',
    footer: 'Письмо отправлено автоматически; ответы не читаются.',
  },
  kk: {
    issuedSubject: 'Төлем шоты: {fee}',
    issuedBody: [
      '{ministry} {payer} (БСН {bin}) атына шот шығарды: {fee}.',
      'Төленетін сома: USD {amount}, USDT немесе USDC арқылы {expires} дейін (Астана уақыты).',
      'Төлеу: {link}',
    ],
    paidSubject: 'Түбіртек: {fee}',
    paidBody: [
      '{ministry} {payer} (БСН {bin}) атына шығарған «{fee}» шоты төленді.',
      'Түбіртек: {link}',
      'Түбіртекке сервис қол қойған; қолтаңбаны тексеру жолы бетте көрсетілген.',
    ],
    contact: 'Шот бойынша сұрақтар: {url}',
    footer: 'Хат автоматты түрде жіберілді; жауаптар оқылмайды.',
  },
};

/** A composed mail: subject, text and HTML bodies. */
export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The mail of `template` for `invoice`, in `lang`; `publicBaseUrl` makes its links. The paid mail needs the
 * invoice's receipt.
 */
export function composePayerMail(
  template: PayerMailTemplate,
  invoice: Invoice,
  lang: Language,
  publicBaseUrl: string,
): ComposedMail {
  const t = STRINGS[lang];
  const paid = template === 'invoice-paid';
  const link = paid
    ? `${publicBaseUrl}/pay/${invoice.id}/receipt?lang=${lang}`
    : `${publicBaseUrl}/pay/${invoice.id}?lang=${lang}`;
  const vars = {
    ministry: MINISTRY_NAMES[invoice.ministry]?.[lang] ?? invoice.ministry,
    // Typed by the ministry: on one line, whatever it holds (invoices refuse control characters; older ones may not).
    payer: invoice.payer.name.replace(/\p{Cc}+/gu, ' '),
    bin: invoice.payer.bin,
    fee: invoice.feeTitle[lang],
    amount: formatUsd(invoice.dueMicroUsd, lang),
    expires: formatDateTime(invoice.expiresAt, lang),
    link,
  };
  const contact = contactLinks(invoice.issuerContact);
  const body = (paid ? t.paidBody : t.issuedBody).map((line) => ({
    line,
    links: line.includes('{link}') ? [{ href: link, text: link }] : [],
  }));
  if (contact.length) body.push({ line: t.contact, links: contact });
  const lines = body.map(({ line }) => fill(line, { ...vars, url: contact.map((c) => c.text).join(', ') }));
  // A subject is one header line: whatever a title holds, no line break reaches it.
  const subject = fill(paid ? t.paidSubject : t.issuedSubject, vars).replace(/[\r\n\t]+/g, ' ');
  const text = `${lines.join('\n\n')}\n\n-- \n${t.footer}\n`;
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    ...body.map(({ line, links }) => `<p>${htmlLine(line, vars, links)}</p>`),
    `<hr><p><small>${escapeHtml(t.footer)}</small></p></body></html>`,
  ].join('\n');
  return { subject, text, html };
}

/**
 * One line as HTML: every value escaped, and only the links given (the service's own URL, or the issuer's contact
 * links built from checked reference data) made anchors, in the line's `{link}` or `{url}` slot. What a ministry
 * typed (a payer name holding a URL) stays text.
 */
function htmlLine(template: string, vars: Record<string, string>, links: { href: string; text: string }[]): string {
  const anchor = links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`).join(', ');
  return template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === 'link' || name === 'url') return anchor;
      return escapeHtml(name && Object.hasOwn(vars, name) ? (vars[name] ?? '') : part);
    })
    .join('');
}
