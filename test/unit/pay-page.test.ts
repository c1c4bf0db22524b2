/**
 * The payment page as HTML: translations, escaping of user input, the nonce-based CSP, QR codes and exact amounts.
 * The browser behaviour (wallet button, live status) is tested in test/e2e/pay-page.test.ts.
 */
import { Script } from 'node:vm';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { eip681TransferUri } from '../../shared/domain/eip681';
import type { Receipt } from '../../shared/domain/receipts';
import { RECEIPT_STRINGS } from '../../shared/web/pay-page/receipt-i18n';
import { renderReceiptPage } from '../../shared/web/pay-page/receipt-page';
import {
  escapeHtml,
  formatDuration,
  formatUsd,
  notFoundPage,
  PAY_STRINGS,
  renderPayPage,
  securityHeaders,
} from '../../shared/web/pay-page/render';
import { type PayLanguage, type PayOptionView, type PayView, payLanguages } from '../../shared/web/pay-page/view';
import signedBeforeFeeVersions from '../fixtures/receipts/signed-before-fee-versions.json';

/** Russian and Kazakh group thousands with a no-break space. */
const NBSP = '\u00a0';
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';
const NOW = new Date('2026-03-10T09:00:00.000Z');
const DEPOSIT = '0x1111111111111111111111111111111111111111';
const USDT_ETH = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const USDT_BSC = '0x55d398326f99059fF775485246999027B3197955';

function option(chainId: number, chain: string, token: string, symbol: string, decimals: number, amount: bigint) {
  return {
    chainId,
    chain,
    token,
    symbol,
    decimals,
    amount: amount.toString(),
    depositAddress: DEPOSIT,
    eip681: eip681TransferUri({ token, chainId, to: DEPOSIT, amount }),
  } satisfies PayOptionView;
}

const TITLE = {
  kk: 'Жыл сайынғы қадағалау алымы: ақша қызметтерін ұсыну',
  ru: 'Ежегодный сбор за надзор: предоставление денежных услуг',
  en: 'Annual supervision fee: Providing Money Services',
};

function usdView(overrides: Partial<PayView> = {}): PayView {
  return {
    id: 'inv_AAAAAAAAAAAAAAAAAAAAAA',
    status: 'open',
    exception: 'none',
    ministry: 'AFSA',
    feeCode: 'AFSA-SUP-PMS',
    feeTitle: TITLE,
    reference: '=HYPERLINK("x")',
    payer: { name: '<script>alert(1)</script>', bin: '940140000385' },
    fee: { currency: 'USD', minor: '300000' },
    quote: { source: 'fixed' },
    dueMicroUsd: '3000000000',
    paidMicroUsd: '0',
    pendingMicroUsd: '0',
    overpaidMicroUsd: '0',
    remainingMicroUsd: '3000000000',
    payable: true,
    createdAt: '2026-03-10T08:30:00.000Z',
    expiresAt: '2026-03-10T09:30:00.000Z',
    options: [
      option(1, 'Ethereum', USDT_ETH, 'USDT', 6, 3_000_000_000n),
      option(56, 'BNB Smart Chain', USDT_BSC, 'USDT', 18, 3_000n * 10n ** 18n),
    ],
    receiptUrl: null,
    receiptPageUrl: null,
    ...overrides,
  };
}

/** An MRP state duty quoted with an NBK rate, with budget details. */
function mrpView(): PayView {
  return usdView({
    ministry: 'MINFIN',
    feeCode: 'MINFIN-DUTY-APOSTILLE',
    feeTitle: {
      kk: 'Ресми құжатқа апостиль қойғаны үшін мемлекеттік баж',
      ru: 'Государственная пошлина за проставление апостиля на официальном документе',
      en: 'State duty for an apostille on an official document',
    },
    reference: undefined,
    payer: { name: 'Test Firm LLP', bin: '940140000385' },
    fee: { mrp: '1.5' },
    quote: {
      source: 'NBK',
      pair: 'USD/KZT',
      rate: '474.2',
      rateDate: '2026-03-09',
      mrpKzt: '4325',
      kztMinor: '648750',
    },
    // 6487.50 / 474.2 = 13.6809... rounded up to the cent.
    dueMicroUsd: '13690000',
    budget: { kbk: '108125', knp: '911', kbe: '11', beneficiaryBin: '081140001236' },
    options: [
      option(1, 'Ethereum', USDT_ETH, 'USDT', 6, 13_690_000n),
      // An 18-decimal amount whose every digit matters.
      { ...option(56, 'BNB Smart Chain', USDT_BSC, 'USDT', 18, 13_690_000_000_000_000_001n) },
    ],
  });
}

const render = (view: PayView, lang: PayLanguage = 'en') => renderPayPage(view, { lang, nonce: NONCE, now: NOW });

/** The text content of the page, roughly: tags dropped, entities decoded. */
function text(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('renderPayPage', () => {
  it.each(payLanguages)('renders every UI string and the fee title in %s', async (lang) => {
    const html = await render(usdView(), lang);
    const t = PAY_STRINGS[lang];
    const body = text(html);
    expect(html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${lang}">`));
    expect(html).toContain(`<title>${escapeHtml(`${TITLE[lang]} — ${t.htmlTitle}`)}</title>`);
    expect(body).toContain(TITLE[lang]);
    for (const s of [
      t.amountDue,
      t.amountDueUsd,
      t.invoiceNo,
      t.reference,
      t.payer,
      t.bin,
      t.feeAmount,
      t.payBy,
      t.statusHeading,
      t.badge.open,
      t.statusText.open,
      t.howToPay,
      t.howIntro,
      t.warnNetwork,
      t.amount,
      t.depositAddress,
      t.network,
      t.tokenContract,
      t.copy,
      t.qrHint,
      t.openLink,
      t.payWithWallet,
      t.noScript,
      t.linkNotice,
    ]) {
      expect(body, s).toContain(s);
    }
    expect(body).toContain(`${t.optionHeading.replace('{symbol}', 'USDT').replace('{chain}', 'Ethereum')}`);
    // The countdown is rendered by the server: 30 minutes left at NOW.
    expect(body).toContain(t.timeLeft.replace('{time}', `30 ${t.units.min} 0 ${t.units.s}`));
    // Kazakhstan time (UTC+5) of the expiry, written as the language writes dates, with the machine-readable instant.
    const local = { kk: '2026 ж. 10 наурыз, 14:30', ru: '10 марта 2026 г. в 14:30', en: 'March 10, 2026 at 2:30 PM' };
    expect(text(html.slice(html.indexOf('<time'), html.indexOf('</time>') + 7))).toBe(` ${local[lang]} `);
    expect(html).toContain('<time datetime="2026-03-10T09:30:00.000Z">');
    // The language switcher: plain links, the current one marked.
    for (const l of payLanguages) expect(html).toContain(`href="?lang=${l}"`);
    expect(html).toContain(`href="?lang=${lang}" hreflang="${lang}" lang="${lang}" aria-current="page"`);
  });

  it('has really distinct translations (no language falls back to another)', () => {
    const keys = Object.keys(PAY_STRINGS.en) as (keyof typeof PAY_STRINGS.en)[];
    for (const key of keys) {
      if (key === 'chainId') continue; // "chain ID" is the term wallets show in every language
      const [kk, ru, en] = [PAY_STRINGS.kk[key], PAY_STRINGS.ru[key], PAY_STRINGS.en[key]].map((v) =>
        JSON.stringify(v),
      );
      expect(new Set([kk, ru, en]).size, key).toBe(3);
    }
    // Kazakh is written in Cyrillic, with its own letters.
    expect(PAY_STRINGS.kk.payWithWallet).toMatch(/[әіңғүұқөһ]/);
  });

  it('escapes every user value: payer name, reference, and never lets them into the script', async () => {
    for (const lang of payLanguages) {
      const html = await render(usdView(), lang);
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).not.toContain('=HYPERLINK("x")');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('=HYPERLINK(&quot;x&quot;)');
      expect(html.match(/<script\b/g)).toHaveLength(1);
      expect(html.match(/<\/script>/g)).toHaveLength(1);
    }
  });

  it('escapes hostile values in every field, attributes included', async () => {
    const evil = `"'><img src=x onerror=alert(1)>`;
    const view = usdView({
      payer: { name: evil, bin: evil },
      reference: evil,
      ministry: evil,
      feeTitle: { kk: evil, ru: evil, en: evil },
      options: [{ ...option(1, evil, USDT_ETH, evil, 6, 1n), depositAddress: evil }],
      receiptUrl: 'javascript:alert(1)',
      receiptPageUrl: 'javascript:alert(2)',
      status: 'paid',
    });
    const html = await render(view);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain(`"'>`);
    // The handler text survives only as escaped text, never as an attribute.
    const markup = html.replace(/<script[\s\S]*?<\/script>/, '');
    expect(markup.match(/onerror=/g)?.length).toBe(markup.match(/&lt;img src=x onerror=/g)?.length);
    // In the script the view data is JSON with < > & escaped, so it cannot close the element.
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).not.toMatch(/<\/?[a-z!]/i);
    expect(script).toContain('\\u003cimg src=x onerror=alert(1)\\u003e');
  });

  it('carries the CSP nonce on its one script and one style, with nothing inline that the CSP would block', async () => {
    const headers = securityHeaders(NONCE);
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:/);
    expect(csp).toBe(
      `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'; img-src 'self' data:; ` +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    expect(headers['permissions-policy']).toContain('camera=()');

    const html = await render(usdView());
    const cspNonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
    const styleTags = html.match(/<style\b[^>]*>/g) ?? [];
    expect(scriptTags).toEqual([`<script nonce="${cspNonce}">`]);
    expect(styleTags).toEqual([`<style nonce="${cspNonce}">`]);
    // No style attributes, inline event handlers, javascript: URLs or external resources.
    const outsideScript = html.replace(/<script[\s\S]*?<\/script>/, '');
    expect(outsideScript).not.toMatch(/\sstyle=/);
    expect(outsideScript).not.toMatch(/\son[a-z]+=/);
    expect(outsideScript).not.toMatch(/src="(https?:)?\/\//);
    expect(outsideScript).not.toMatch(/<link\b[^>]*href="(https?:)?\/\//);
    // External hrefs only on links a person follows (the issuer's website), never loaded by the page.
    const external = outsideScript.match(/<[a-z]+\b[^>]*href="(https?:)?\/\/[^>]*>/g) ?? [];
    for (const tag of external) expect(tag).toMatch(/^<a href="https:\/\/[^"]+" rel="noopener noreferrer">$/);
  });

  it('refuses a nonce that could break the header or the attribute', () => {
    expect(() => securityHeaders(`abc'; script-src *`)).toThrow(RangeError);
    expect(() => notFoundPage('en', '"><script>')).toThrow(RangeError);
  });

  it('draws a QR code of each option’s EIP-681 URI as labelled inline SVG', async () => {
    const view = usdView();
    const html = await render(view, 'ru');
    const svgs = html.match(/<svg role="img" aria-label="[^"]+"[^>]*>[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(view.options.length);
    for (const [i, o] of view.options.entries()) {
      const expected = await QRCode.toString(o.eip681, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      const path = /<path stroke="#000000" d="([^"]+)"/.exec(expected)?.[1];
      expect(svgs[i]).toContain(path);
      expect(svgs[i]).toContain(`aria-label="QR-код: запрос на оплату 3${NBSP}000 USDT в сети ${o.chain}"`);
      expect(html).toContain(`href="${escapeHtml(o.eip681)}"`);
    }
  });

  it('formats amounts exactly: USD due, token units at 6 and 18 decimals, fee in its own currency', async () => {
    const html = await render(usdView());
    const body = text(html);
    expect(body).toContain('Amount due USD 3,000.00');
    expect(body).toContain('Fee amount USD 3,000.00');
    expect(body).toContain('3,000 USDT');
    // What a wallet takes: no grouping.
    expect(html).toContain(`data-copy="3000"`);
    expect(html).toContain(`data-amount="3000000000000000000000"`);
    expect(body).toContain(`Ethereum (chain ID 1)`);
    expect(body).toContain(`BNB Smart Chain (chain ID 56)`);
    expect(body).toContain(`USDT ${USDT_BSC}`);
    expect(html.match(new RegExp(DEPOSIT, 'g'))?.length).toBeGreaterThanOrEqual(4);

    const mrp = await render(mrpView(), 'ru');
    const mrpBody = text(mrp);
    expect(mrpBody).toContain('К оплате USD 13,69');
    expect(mrpBody).toContain('Сумма сбора 1,5 МРП × 4 325 KZT = KZT 6 487,50');
    expect(mrpBody).toContain(
      'Курс 1 USD = 474,2 KZT, курс Национального банка Казахстана на 9 марта 2026 г., зафиксирован для этого счёта',
    );
    expect(mrpBody).toContain('13,69 USDT');
    expect(mrpBody).toContain('13,690000000000000001 USDT');
    expect(mrpBody).toContain('КБК (код бюджетной классификации) 108125');
    expect(mrpBody).toContain('БИН получателя 081140001236');
    expect(mrpBody).toContain('Министерство финансов Республики Казахстан');
    expect(text(await render(mrpView(), 'kk'))).toContain('1,5 АЕК × 4 325 KZT = KZT 6 487,50');

    const kzt = await render(usdView({ fee: { currency: 'KZT', minor: '1500000' } }));
    expect(text(kzt)).toContain('Fee amount KZT 15,000.00');
  });

  it('formats micro-USD and durations', () => {
    expect(formatUsd('91210000')).toBe('91.21');
    expect(formatUsd('3000000000')).toBe('3000.00');
    expect(formatUsd('1500')).toBe('0.0015');
    expect(formatUsd(0n)).toBe('0.00');
    const t = PAY_STRINGS.en;
    expect(formatDuration(3 * 86_400_000 + 2 * 3_600_000 + 5, t)).toBe('3 d 2 h');
    expect(formatDuration(3_600_000 + 65_000, t)).toBe('1 h 1 min');
    expect(formatDuration(59_999, t)).toBe('0 min 59 s');
    expect(formatDuration(-5, t)).toBe('0 min 0 s');
  });

  it('shows a payment in progress with its amounts, and hides nothing yet', async () => {
    const html = await render(
      usdView({ status: 'processing', pendingMicroUsd: '1000000000', remainingMicroUsd: '2000000000' }),
    );
    const body = text(html);
    expect(body).toContain('Payment in progress');
    expect(body).toContain('waiting for confirmations');
    expect(body).toContain('Confirmed: USD 0.00. Awaiting confirmation: USD 1,000.00. Still to pay: USD 2,000.00.');
    expect(html).toContain(
      '<section id="pay" aria-labelledby="pay-h" data-remaining="2000000000" data-payable="true">',
    );
  });

  it("shows the payer's licence number where the register has one, in each language", async () => {
    const licensed = usdView({ payer: { name: 'Test Firm LLP', bin: '940140000385', licenceNo: 'AFSA-F-2025-0001' } });
    for (const lang of payLanguages) {
      expect(text(await render(licensed, lang))).toContain(`${PAY_STRINGS[lang].licenceNo} AFSA-F-2025-0001`);
    }
    expect(text(await render(usdView()))).not.toContain(PAY_STRINGS.en.licenceNo);
  });

  it('gives the rest of a KZT-priced invoice in tenge at its locked rate, and none for a USD fee', async () => {
    // 13.69 USD due, 5.00 paid: 8.69 USD × 474.2 = 4,120.798 KZT, half up to the tiyn.
    const partPaid = { status: 'processing', paidMicroUsd: '5000000', remainingMicroUsd: '8690000' } as const;
    expect(text(await render({ ...mrpView(), ...partPaid }))).toContain(
      'Still to pay in tenge at the locked rate: KZT 4,120.80.',
    );
    // Russian groups digits with a (narrow) no-break space.
    expect(text(await render({ ...mrpView(), ...partPaid }, 'ru')).replace(/\s/g, ' ')).toContain(
      'Остаток в тенге по зафиксированному курсу: KZT 4 120,80.',
    );
    expect(text(await render(usdView(partPaid)))).not.toContain('in tenge');
  });

  it('shows a paid invoice with its receipt link and an overpayment, without payment details', async () => {
    const view = usdView({
      status: 'paid',
      exception: 'overpaid',
      paidMicroUsd: '3000500000',
      overpaidMicroUsd: '500000',
      receiptUrl: 'http://127.0.0.1:3000/v1/pay/inv_AAAAAAAAAAAAAAAAAAAAAA/receipt',
      receiptPageUrl: 'http://127.0.0.1:3000/pay/inv_AAAAAAAAAAAAAAAAAAAAAA/receipt',
      remainingMicroUsd: '0',
      payable: false,
    });
    const html = await render(view, 'kk');
    const body = text(html);
    expect(body).toContain('Төленді');
    expect(body).toContain('USD 0,50 артық төленді.');
    expect(html).toContain(`href="${view.receiptPageUrl}">Түбіртекті ашу</a>`);
    expect(html).toContain('<section id="pay" aria-labelledby="pay-h" data-remaining="0" data-payable="false" hidden>');
    expect(html).toContain('id="deadline" hidden');
    expect(html).toContain('<p class="notice" id="not-payable" hidden>');

    const pending = text(await render({ ...view, receiptUrl: null, receiptPageUrl: null }));
    expect(pending).toContain('The receipt is being prepared');
  });

  it.each([
    ['expired', 'underpaid', 'Partly paid: USD 1,000.00 of USD 3,000.00. Contact the issuer.'],
    ['cancelled', 'none', 'The issuer cancelled this invoice. Do not send any payment for it.'],
  ] as const)('tells the payer not to pay a %s invoice', async (status, exception, message) => {
    const html = await render(
      usdView({ status, exception, paidMicroUsd: '1000000000', remainingMicroUsd: '2000000000', payable: false }),
    );
    expect(text(html)).toContain(message);
    expect(html).toContain('data-payable="false" hidden>');
    expect(html).toContain('<p class="notice" id="not-payable">');
  });

  it('shows the time is over when rendered after expiry', async () => {
    const html = await renderPayPage(usdView(), { lang: 'ru', nonce: NONCE, now: new Date('2026-03-10T10:00:00Z') });
    expect(text(html)).toContain('Срок оплаты истёк');
  });

  it('ships a script that parses and reads only the data the server gave it', async () => {
    const html = await render(usdView());
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain('0xa9059cbb');
    expect(script).toContain("'wallet_switchEthereumChain'");
    expect(script).not.toContain('innerHTML');
    expect(script).not.toContain('Test Firm');
  });
});

describe('notFoundPage', () => {
  it.each(payLanguages)('answers in %s without any script', (lang) => {
    const html = notFoundPage(lang, NONCE);
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html).toContain(PAY_STRINGS[lang].notFoundTitle);
    expect(html).toContain(`<style nonce="${NONCE}">`);
    expect(html).not.toContain('<script');
  });
});

describe('the receipt page', () => {
  const context = (lang: PayLanguage) => ({
    lang,
    nonce: NONCE,
    feeTitle: { kk: 'Апостиль', ru: 'Апостиль', en: 'Apostille' },
    tokens: {},
    jsonUrl: 'https://pay.example/v1/pay/inv_AAAAAAAAAAAAAAAAAAAAAg/receipt',
    payUrl: 'https://pay.example/pay/inv_AAAAAAAAAAAAAAAAAAAAAg',
  });

  it('shows the versions the receipt signs in the small print, in every language, and nothing for a receipt without', async () => {
    const before = signedBeforeFeeVersions as Receipt;
    const versioned: Receipt = { ...before, pricedWith: { fee: 'chg_fee-2026', mrp: 'seed:mrp:2026' } };
    for (const lang of payLanguages) {
      const strings = RECEIPT_STRINGS[lang];
      const html = await renderReceiptPage(versioned, context(lang));
      expect(html).toContain(`<dt>${escapeHtml(strings.feeVersion)}</dt><dd class="mono">chg_fee-2026</dd>`);
      expect(html).toContain(`<dt>${escapeHtml(strings.mrpVersion)}</dt><dd class="mono">seed:mrp:2026</dd>`);
      const old = await renderReceiptPage(before, context(lang));
      expect(old).not.toContain(escapeHtml(strings.feeVersion));
      expect(old).not.toContain(escapeHtml(strings.mrpVersion));
    }
    const feeOnly = await renderReceiptPage({ ...before, pricedWith: { fee: 'chg_fee-2026' } }, context('en'));
    expect(feeOnly).toContain('chg_fee-2026');
    expect(feeOnly).not.toContain(RECEIPT_STRINGS.en.mrpVersion);
  });
});
