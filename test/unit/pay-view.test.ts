/**
 * The payer's view asks for what is still due: every option, EIP-681 link (and so QR code) carries the remainder
 * after final and pending payments; nothing is offered while payments in flight cover the amount; an expired invoice
 * with a part paid still takes the rest through the late window, and says until when.
 */
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { eip681TransferUri, parseEip681TransferUri } from '../../shared/domain/eip681';
import type { PaymentOption } from '../../shared/domain/invoices';
import { renderPayOptions, renderPayPage } from '../../shared/web/pay-page/render';
import { microUsdToUnits, toPayView } from '../../shared/web/pay-page/view';
import { anInvoice } from '../support/invoices';

const BASE = 'https://pay.example';
const DEPOSIT = getAddress('0x1111111111111111111111111111111111111111');
const BEFORE_EXPIRY = new Date('2026-03-10T06:30:00.000Z');
const AFTER_EXPIRY = new Date('2026-03-10T08:00:00.000Z');
const AFTER_LATE_WINDOW = new Date('2026-03-11T07:00:00.001Z');

function option(chainId: number, token: string, symbol: string, decimals: number, due: bigint): PaymentOption {
  const amount = microUsdToUnits(due, decimals);
  return {
    chainId,
    chain: `chain ${chainId}`,
    token: getAddress(token),
    symbol,
    decimals,
    amount,
    depositAddress: DEPOSIT,
    eip681: eip681TransferUri({ token, chainId, to: DEPOSIT, amount }),
  };
}

const DUE = 500_000_000n; // USD 500
const invoice = (overrides: Parameters<typeof anInvoice>[0] = {}) =>
  anInvoice({
    dueMicroUsd: DUE,
    depositAddress: DEPOSIT,
    options: [
      option(1, '0xdAC17F958D2ee523a2206206994597C13D831ec7', 'USDT', 6, DUE),
      option(56, '0x55d398326f99059fF775485246999027B3197955', 'USDT', 18, DUE),
    ],
    ...overrides,
  });

describe('toPayView', () => {
  it('asks for the whole amount while nothing is paid', () => {
    const view = toPayView(invoice(), BEFORE_EXPIRY, BASE);
    expect(view).toMatchObject({ remainingMicroUsd: '500000000', payable: true });
    expect(view.options.map((o) => o.amount)).toEqual(['500000000', '500000000000000000000']);
  });

  it('asks for the remainder after final and pending payments, in every option and EIP-681 link', () => {
    const view = toPayView(
      invoice({ status: 'processing', paidMicroUsd: 200_000_000n, pendingMicroUsd: 50_000_000n }),
      BEFORE_EXPIRY,
      BASE,
    );
    expect(view).toMatchObject({ remainingMicroUsd: '250000000', payable: true });
    expect(view.options.map((o) => o.amount)).toEqual(['250000000', '250000000000000000000']);
    for (const o of view.options) {
      expect(parseEip681TransferUri(o.eip681)).toMatchObject({ amount: BigInt(o.amount), to: DEPOSIT });
    }
  });

  it('offers nothing while payments in flight cover the amount', () => {
    const view = toPayView(
      invoice({ status: 'processing', paidMicroUsd: 200_000_000n, pendingMicroUsd: 300_000_000n }),
      BEFORE_EXPIRY,
      BASE,
    );
    expect(view).toMatchObject({ status: 'processing', remainingMicroUsd: '0', payable: false });
  });

  it('keeps taking the rest of a part-paid expired invoice through the late window, then stops', () => {
    const partPaid = invoice({ status: 'processing', paidMicroUsd: 200_000_000n });
    const late = toPayView(partPaid, AFTER_EXPIRY, BASE);
    expect(late).toMatchObject({
      status: 'expired',
      exception: 'underpaid',
      payable: true,
      remainingMicroUsd: '300000000',
      lateUntil: '2026-03-11T07:00:00.000Z',
    });
    expect(late.options[0]?.amount).toBe('300000000');
    expect(toPayView(partPaid, AFTER_LATE_WINDOW, BASE)).toMatchObject({ status: 'expired', payable: false });
    expect(toPayView(partPaid, AFTER_LATE_WINDOW, BASE).lateUntil).toBeUndefined();
  });

  it('does not reopen an expired invoice nobody paid, a cancelled or a paid one', () => {
    expect(toPayView(invoice(), AFTER_EXPIRY, BASE)).toMatchObject({ status: 'expired', payable: false });
    expect(toPayView(invoice(), AFTER_EXPIRY, BASE).lateUntil).toBeUndefined();
    expect(toPayView(invoice({ status: 'cancelled' }), BEFORE_EXPIRY, BASE).payable).toBe(false);
    const paid = invoice({ status: 'paid', paidMicroUsd: DUE + 1n, overpaidMicroUsd: 1n });
    expect(toPayView(paid, AFTER_EXPIRY, BASE)).toMatchObject({ remainingMicroUsd: '0', payable: false });
  });

  it('rounds a remainder up only for a token of fewer than 6 decimals', () => {
    expect(microUsdToUnits(1_234_567n, 6)).toBe(1_234_567n);
    expect(microUsdToUnits(1_234_567n, 18)).toBe(1_234_567_000_000_000_000n);
    expect(microUsdToUnits(1_234_567n, 2)).toBe(124n);
    expect(microUsdToUnits(1_230_000n, 2)).toBe(123n);
  });
});

describe('the page of what is still due', () => {
  // What a reader sees: no script or style content.
  const text = (html: string) =>
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
  const render = (view: ReturnType<typeof toPayView>, now: Date) =>
    renderPayPage(view, { lang: 'en', nonce: 'dGVzdC1ub25jZS0xMjM0NQ==', now });

  it('says a part is confirmed rather than "waiting for confirmations" when nothing is in flight', async () => {
    const view = toPayView(invoice({ status: 'processing', paidMicroUsd: 200_000_000n }), BEFORE_EXPIRY, BASE);
    const body = text(await render(view, BEFORE_EXPIRY));
    expect(body).toContain('Part of the amount is confirmed. Pay the rest shown below.');
    expect(body).not.toContain('waiting for confirmations');
    expect(body).toContain('300 USDT');
  });

  it('hides the instructions and says why while payments in flight cover the amount', async () => {
    const view = toPayView(invoice({ status: 'processing', pendingMicroUsd: DUE }), BEFORE_EXPIRY, BASE);
    const html = await render(view, BEFORE_EXPIRY);
    expect(html).toContain('data-payable="false" hidden>');
    expect(html).toContain('<p class="notice" id="covered">Payments on their way cover the amount due.');
    expect(html).toContain('<p class="notice" id="not-payable" hidden>');
  });

  it('offers the remainder after expiry inside the late window, saying until when', async () => {
    const view = toPayView(invoice({ status: 'processing', paidMicroUsd: 200_000_000n }), AFTER_EXPIRY, BASE);
    const html = await render(view, AFTER_EXPIRY);
    expect(html).toContain('data-remaining="300000000" data-payable="true">');
    expect(text(html)).toContain('but the rest, USD 300.00, is still accepted at the locked rate until');
    expect(html).toContain('<p class="notice" id="not-payable" hidden>');
  });

  it('answers the options part alone, with no script or style, for the open page to swap in', async () => {
    const view = toPayView(invoice({ status: 'processing', paidMicroUsd: 200_000_000n }), BEFORE_EXPIRY, BASE);
    const part = await renderPayOptions(view, { lang: 'kk' });
    expect(part).toContain('<section id="pay" aria-labelledby="pay-h" data-remaining="300000000" data-payable="true">');
    expect(part).toContain('id="covered" hidden');
    expect(part).not.toMatch(/<script|<style|<html/);
    // The same markup as in the whole page.
    expect(await render(view, BEFORE_EXPIRY)).toContain((await renderPayOptions(view, { lang: 'en' })).trim());
  });

  it('says how to reach the issuer on every page, and in the status of an expired part-paid invoice', async () => {
    const issuerContact = { url: 'https://afsa.aifc.kz', email: 'fees@afsa.example', phone: '+7 (7172) 64-72-60' };
    const partPaid = toPayView(
      invoice({ status: 'processing', paidMicroUsd: 200_000_000n, issuerContact }),
      AFTER_LATE_WINDOW,
      BASE,
    );
    const html = await render(partPaid, AFTER_LATE_WINDOW);
    const contact =
      'contact the issuer, Astana Financial Services Authority (AFSA) https://afsa.aifc.kz fees@afsa.example +7 (7172) 64-72-60';
    expect(html).toContain('<a href="https://afsa.aifc.kz" rel="noopener noreferrer">https://afsa.aifc.kz</a>');
    expect(html).toContain('<a href="mailto:fees@afsa.example" rel="noopener noreferrer">fees@afsa.example</a>');
    expect(html).toContain('<a href="tel:+77172647260" rel="noopener noreferrer">+7 (7172) 64-72-60</a>');
    expect(text(html.slice(html.indexOf('id="status-body"'), html.indexOf('id="status-error"')))).toContain(contact);
    expect(text(html.slice(html.indexOf('<footer')))).toContain(contact);
    const open = await render(toPayView(invoice({ issuerContact }), BEFORE_EXPIRY, BASE), BEFORE_EXPIRY);
    expect(open).not.toContain('id="issuer-contact"');
    expect(text(open.slice(open.indexOf('<footer')))).toContain(contact);
  });

  it('names the issuer without links when the invoice recorded no contact (the fee had none)', async () => {
    const html = await render(toPayView(invoice(), BEFORE_EXPIRY, BASE), BEFORE_EXPIRY);
    const footer = html.slice(html.indexOf('<footer'));
    expect(text(footer)).toContain('contact the issuer, Astana Financial Services Authority (AFSA)');
    expect(footer.slice(0, footer.indexOf('</p>'))).not.toContain('<a ');
  });
});
