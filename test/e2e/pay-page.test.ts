/**
 * The payment page in a real browser (Debian's Chromium driven by playwright-core) against the whole local runtime:
 * an invoice issued over the API, the page in kk/ru/en under its strict CSP, the page without JavaScript, live status,
 * and "Pay with wallet" through an injected EIP-1193 provider that forwards to the Hardhat node, checked on chain.
 * Screenshots go to test-artifacts/pay-page/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Contract } from 'ethers';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { formatDecimal } from '../../shared/domain/money';
import { RECEIPT_STRINGS } from '../../shared/web/pay-page/receipt-i18n';
import { PAY_STRINGS } from '../../shared/web/pay-page/render';
import { type PayLanguage, payLanguages } from '../../shared/web/pay-page/view';
import { expireInvoiceNow, pay } from '../helpers/runtime';

const ARTIFACTS = join('test-artifacts', 'pay-page');
const CHROMIUM = '/usr/bin/chromium';
const FEE_TITLE: Record<PayLanguage, string> = {
  kk: 'Жыл сайынғы қадағалау алымы: ақша қызметтерін ұсыну',
  ru: 'Ежегодный сбор за надзор: предоставление денежных услуг',
  en: 'Annual supervision fee: Providing Money Services',
};

interface InvoiceBody {
  id: string;
  depositAddress: string;
  payUrl: string;
  options: { chainId: number; chain: string; token: string; symbol: string; decimals: number; amount: string }[];
}

/** The browser globals the page functions touch (the project's tsconfig has no DOM lib). */
interface PageGlobals {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    documentElement: { scrollWidth: number };
  };
  innerWidth: number;
  ethereum?: unknown;
}

let runtime: LocalRuntime;
let browser: Browser;
let invoice: InvoiceBody;

async function issueInvoice(): Promise<InvoiceBody> {
  const tokenResponse = await fetch(`${runtime.apiUrl}/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'ministry', ministry: 'AFSA' }),
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  const response = await fetch(`${runtime.apiUrl}/v1/invoices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Test Firm LLP' } }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /v1/invoices answered ${response.status}: ${text}`);
  return JSON.parse(text) as InvoiceBody;
}

/** A page that fails the test on any script error or CSP violation. */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

const payUrl = (lang: PayLanguage) => `${runtime.apiUrl}/pay/${invoice.id}?lang=${lang}`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  invoice = await issueInvoice();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe('payment page in Chromium', () => {
  it.each(payLanguages)('shows the invoice in %s under a strict CSP', async (lang) => {
    const t = PAY_STRINGS[lang];
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, problems } = await watchedPage(context);
    const response = await page.goto(payUrl(lang));
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-language']).toBe(lang);

    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    await expect(page.locator('h1').textContent()).resolves.toBe(FEE_TITLE[lang]);
    await expect(page.title()).resolves.toContain(FEE_TITLE[lang]);
    expect(await page.locator('#pay-h').textContent()).toBe(t.howToPay);
    expect(await page.locator('#status-h').textContent()).toBe(t.statusHeading);
    expect(await page.locator('#status-body .badge').textContent()).toBe(t.badge.open);
    // Numbers as each language writes them: 3,000.00 (en), 3 000,00 (ru, kk: a no-break space).
    const three = { kk: '3\u00a0000', ru: '3\u00a0000', en: '3,000' }[lang];
    const cents = lang === 'en' ? '.00' : ',00';
    expect(await page.locator('#amount-due').textContent()).toBe(`USD ${three}${cents}`);
    expect(await page.getByText('Test Firm LLP').count()).toBe(1);

    const options = page.locator('article.option');
    expect(await options.count()).toBe(invoice.options.length);
    expect(invoice.options.map((o) => o.symbol)).toEqual(['USDT', 'USDC', 'USD18']);
    for (const [i, o] of invoice.options.entries()) {
      const article = options.nth(i);
      expect(formatDecimal(BigInt(o.amount), o.decimals)).toBe('3000');
      expect(await article.locator('.amount-value').textContent()).toBe(`${three} ${o.symbol}`);
      // The copy button gives a wallet the plain number.
      expect(await article.locator('button[data-copy]').first().getAttribute('data-copy')).toBe('3000');
      expect(await article.locator('.address-value').textContent()).toBe(invoice.depositAddress);
      expect(await article.locator('svg[role="img"]').count()).toBe(1);
      expect(await article.locator('svg[role="img"]').getAttribute('aria-label')).toContain(o.symbol);
      expect(await article.textContent()).toContain(o.token);
      expect(await article.textContent()).toContain('31337');
      // JavaScript ran under the CSP: copy buttons are shown, and without a wallet the page says so.
      expect(await article.getByRole('button', { name: t.copyAmount }).isVisible()).toBe(true);
      expect(await article.locator('button.pay').isVisible()).toBe(false);
      expect(await article.locator('.wallet-msg').textContent()).toBe(t.noWallet);
    }
    expect(await page.locator('#no-script').isVisible()).toBe(false);
    // The countdown is live: it is rewritten by the script within a second or two.
    const first = await page.locator('#countdown').textContent();
    await page.waitForFunction(
      (before) => (globalThis as unknown as PageGlobals).document.querySelector('#countdown')?.textContent !== before,
      first,
      { timeout: 5_000 },
    );
    // The page polls its JSON (same origin, allowed by connect-src 'self').
    const poll = await page.waitForResponse((r) => r.url().endsWith(`/v1/pay/${invoice.id}`), { timeout: 10_000 });
    expect(poll.status()).toBe(200);

    await page.screenshot({ path: join(ARTIFACTS, `invoice-${lang}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const { page, problems } = await watchedPage(context);
    await page.goto(payUrl('kk'));
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    // One option at a time behind a chooser; the amount and the address come before the QR code.
    const visible = page.locator('article.option:visible');
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute('data-symbol')).toBe('USDT');
    const amountTop = (await visible.locator('.amount-value').boundingBox())?.y ?? Infinity;
    const qrTop = (await visible.locator('.qr svg').boundingBox())?.y ?? -Infinity;
    expect(amountTop).toBeLessThan(qrTop);
    await page.getByRole('radio', { name: /USDC/ }).check();
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute('data-symbol')).toBe('USDC');
    await page.screenshot({ path: join(ARTIFACTS, 'invoice-kk-phone.png') });
    await visible.screenshot({ path: join(ARTIFACTS, 'invoice-kk-phone-option.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the amount and the address with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(payUrl('ru'));
    expect(await page.locator('#amount-due').textContent()).toBe('USD 3\u00a0000,00');
    const first = page.locator('article.option').first();
    expect(await first.locator('.amount-value').textContent()).toBe('3\u00a0000 USDT');
    expect(await first.locator('.address-value').textContent()).toBe(invoice.depositAddress);
    expect(await first.locator('svg[role="img"]').isVisible()).toBe(true);
    expect(await first.locator('a.eip681').getAttribute('href')).toMatch(/^ethereum:0x[0-9a-fA-F]{40}@31337\/transfer/);
    expect(await page.getByText(PAY_STRINGS.ru.noScript).isVisible()).toBe(true);
    expect(await first.locator('button').first().isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'invoice-ru-no-js.png'), fullPage: true });
    await context.close();
  });

  it('updates the status region live and stops offering payment once paid', async () => {
    const t = PAY_STRINGS.en;
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    let polls = 0;
    // The reconciler is not part of this test: the page's JSON is answered as the service would once paid.
    await page.route(`**/v1/pay/${invoice.id}`, async (route) => {
      polls++;
      const real = await route.fetch();
      const view = (await real.json()) as Record<string, unknown>;
      const paid = {
        ...view,
        status: 'paid',
        exception: 'overpaid',
        paidMicroUsd: '3000010000',
        overpaidMicroUsd: '10000',
        remainingMicroUsd: '0',
        payable: false,
        receiptUrl: `${runtime.apiUrl}/v1/pay/${invoice.id}/receipt`,
        receiptPageUrl: `${runtime.apiUrl}/pay/${invoice.id}/receipt`,
      };
      await route.fulfill({ response: real, json: paid });
    });
    await page.goto(payUrl('en'));
    await page.locator('#status-body .badge-paid').waitFor({ timeout: 10_000 });
    expect(await page.locator('#status-body').textContent()).toContain(
      t.exception.overpaid.replace('{overpaid}', '0.01'),
    );
    // Overpaid needs the issuer: the live status says how to reach it.
    expect(await page.locator('#status-body #issuer-contact a[href="https://afsa.aifc.kz"]').count()).toBe(1);
    expect(await page.getByRole('link', { name: t.receiptLink }).getAttribute('href')).toBe(
      `${runtime.apiUrl}/pay/${invoice.id}/receipt`,
    );
    expect(await page.locator('#pay').isHidden()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'paid-en.png'), fullPage: true });
    // Final: no more polling.
    const seen = polls;
    await page.waitForTimeout(4_000);
    expect(polls).toBe(seen);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('explains a wallet that does not know the chain (EIP-1193 error 4902)', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.addInitScript(() => {
      (globalThis as unknown as PageGlobals).ethereum = {
        request: async ({ method }: { method: string }) => {
          if (method === 'eth_requestAccounts') return ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8'];
          if (method === 'wallet_switchEthereumChain') throw { code: 4902, message: 'Unrecognized chain ID' };
          throw { code: 4200, message: 'Unsupported method' };
        },
      };
    });
    await page.goto(payUrl('ru'));
    const usdt = page.locator('article.option[data-symbol="USDT"]');
    await usdt.getByRole('button', { name: PAY_STRINGS.ru.payWithWallet }).click();
    await expect
      .poll(() => usdt.locator('.wallet-msg').textContent())
      .toBe(PAY_STRINGS.ru.errUnknownChain.replace('{chain}', 'Hardhat local').replace('{id}', '31337'));
    expect(await usdt.getByRole('button', { name: PAY_STRINGS.ru.payWithWallet }).isEnabled()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pays with an injected wallet: the deposit address receives exactly the option amount on chain', async () => {
    const t = PAY_STRINGS.en;
    const payer = runtime.chain.payers[0] as string;
    const usdtOption = invoice.options.find((o) => o.symbol === 'USDT');
    if (!usdtOption) throw new Error('no USDT option');
    const usdt = new Contract(
      usdtOption.token,
      ['function balanceOf(address) view returns (uint256)'],
      runtime.chain.provider,
    );
    const balanceOf = usdt.getFunction('balanceOf');
    const before = (await balanceOf(invoice.depositAddress)) as bigint;
    const payerBefore = (await balanceOf(payer)) as bigint;

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, problems } = await watchedPage(context);
    const calls: string[] = [];
    // The wallet's node: Hardhat's accounts are unlocked, so eth_sendTransaction from a payer is signed by the node.
    let rpcId = 0;
    await page.exposeFunction('__walletRpc', async (method: string, params: unknown[]) => {
      calls.push(method);
      const response = await fetch(runtime.chain.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
      });
      return (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
    });
    await page.addInitScript((account: string) => {
      type Rpc = (method: string, params: unknown[]) => Promise<{ result?: unknown; error?: unknown }>;
      const w = globalThis as unknown as PageGlobals & { __walletRpc: Rpc };
      w.ethereum = {
        isStablefeeTestWallet: true,
        request: async ({ method, params }: { method: string; params?: unknown[] }) => {
          if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [account];
          if (method === 'wallet_switchEthereumChain') {
            const [{ chainId }] = params as [{ chainId: string }];
            if (chainId === '0x7a69') return null;
            throw { code: 4902, message: `Unrecognized chain ID ${chainId}` };
          }
          const answer = await w.__walletRpc(method, params ?? []);
          if (answer.error) throw answer.error;
          return answer.result;
        },
      };
    }, payer);

    await page.goto(payUrl('en'));
    const article = page.locator('article.option[data-symbol="USDT"]');
    const button = article.getByRole('button', { name: t.payWithWallet });
    expect(await button.isVisible()).toBe(true);
    await button.click();
    // Kept in the status area: the options are replaced once the payment is seen (nothing is left to pay).
    const hashNode = page.locator('#sent-tx .tx-hash');
    await hashNode.waitFor({ timeout: 20_000 });
    const hash = (await hashNode.textContent()) ?? '';
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(calls).toEqual(['eth_chainId', 'eth_sendTransaction']);

    const receipt = await runtime.chain.provider.waitForTransaction(hash, 1, 20_000);
    expect(receipt?.status).toBe(1);
    expect(receipt?.to?.toLowerCase()).toBe(usdtOption.token.toLowerCase());
    expect(receipt?.from.toLowerCase()).toBe(payer.toLowerCase());
    // At the payment's block: the sweeper moves the money on to custody once it is final.
    const after = (await balanceOf(invoice.depositAddress, { blockTag: receipt?.blockNumber })) as bigint;
    expect(after - before).toBe(BigInt(usdtOption.amount));
    expect(after - before).toBe(3_000_000_000n);
    expect(payerBefore - ((await balanceOf(payer)) as bigint)).toBe(BigInt(usdtOption.amount));

    await page.screenshot({ path: join(ARTIFACTS, 'after-pay-en.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('asks for what is still due, live: after 1000 of 3000 every option, link and QR code asks for 2000', async () => {
    const part = await issueInvoice();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${runtime.apiUrl}/pay/${part.id}?lang=en`);
    const usdt = page.locator('article.option[data-symbol="USDT"]');
    expect(await usdt.getAttribute('data-amount')).toBe('3000000000');

    const first = await pay(runtime, part.depositAddress, 1_000_000_000n);
    // The page is not reloaded: the options are swapped in place once the payment is seen.
    await expect.poll(() => usdt.getAttribute('data-amount'), { timeout: 30_000 }).toBe('2000000000');
    // The dark modules of a QR code's SVG (the qrcode library draws them as one path).
    const modules = (svg: string) => /stroke="#000000" d="([^"]+)"/.exec(svg)?.[1];
    for (const option of await page.locator('article.option').all()) {
      const amount = (await option.getAttribute('data-amount')) ?? '';
      const href = (await option.locator('a.eip681').getAttribute('href')) ?? '';
      expect(href.endsWith(`&uint256=${amount}`)).toBe(true);
      const svg = await option
        .locator('.qr svg')
        .evaluate((node) => (node as unknown as { outerHTML: string }).outerHTML);
      const expected = await QRCode.toString(href, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      expect(modules(svg)).toBeDefined();
      expect(modules(svg)).toBe(modules(expected));
    }
    expect(await usdt.locator('.amount-value').textContent()).toBe('2,000 USDT');

    const second = await pay(runtime, part.depositAddress, 2_000_000_000n);
    await page.locator('#status-body .badge-paid').waitFor({ timeout: 30_000 });
    expect(await page.locator('#pay').isHidden()).toBe(true);

    // Paid: the link leads to the receipt page, which shows the number and both transactions in every language.
    const link = page.getByRole('link', { name: PAY_STRINGS.en.receiptLink });
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await page.waitForURL(`**/pay/${part.id}/receipt`);
    const signed = (await (await fetch(`${runtime.apiUrl}/v1/pay/${part.id}/receipt`)).json()) as {
      receiptNo: string;
      signer: string;
    };
    const hashes = [first?.hash, second?.hash].map((h) => (h ?? '').toLowerCase());
    for (const lang of payLanguages) {
      await page.goto(`${runtime.apiUrl}/pay/${part.id}/receipt?lang=${lang}`);
      const main = (await page.locator('main').textContent()) ?? '';
      expect(await page.locator('h1').textContent()).toBe(
        RECEIPT_STRINGS[lang].title.replace('{no}', signed.receiptNo),
      );
      for (const hash of hashes) expect(main).toContain(hash);
      expect(main).toContain(FEE_TITLE[lang]);
      // The sample register's licence of the payer (recorded on the invoice at issuance).
      expect(main).toContain(PAY_STRINGS[lang].licenceNo);
      expect(main).toContain('AFSA-F-2025-0001');
      expect(await page.locator('#signer').textContent()).toBe(signed.signer);
      await page.screenshot({ path: join(ARTIFACTS, `receipt-${lang}.png`), fullPage: true });
    }
    // The page is in en now (the last language): its link fetches the signed document itself.
    const download = await fetch(
      (await page.getByRole('link', { name: RECEIPT_STRINGS.en.downloadJson }).getAttribute('href')) ?? '',
    );
    expect(((await download.json()) as { receiptNo: string }).receiptNo).toBe(signed.receiptNo);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
    // Two payments through the whole pipeline and a browser: bound by the chain and the workers, not by this test.
  }, 120_000);

  it('keeps offering the rest of an expired, part-paid invoice through the late window, then stops', async () => {
    const part = await issueInvoice();
    await pay(runtime, part.depositAddress, 1_000_000_000n);
    const paidOf = async () =>
      ((await (await fetch(`${runtime.apiUrl}/v1/pay/${part.id}`)).json()) as { paidMicroUsd: string }).paidMicroUsd;
    await expect.poll(paidOf, { timeout: 30_000 }).toBe('1000000000');
    await expireInvoiceNow(runtime, part.id, 1);

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${runtime.apiUrl}/pay/${part.id}?lang=en`);
    expect(await page.locator('#status-body .badge-expired').count()).toBe(1);
    expect(await page.locator('#late').isVisible()).toBe(true);
    expect(await page.locator('#late').textContent()).toContain('USD 2,000.00');
    expect(await page.locator('#pay').isVisible()).toBe(true);
    const articles = await page.locator('article.option').all();
    expect(articles).toHaveLength(part.options.length);
    for (const [i, option] of part.options.entries()) {
      const rest = (2_000n * 10n ** BigInt(option.decimals)).toString();
      expect(await articles[i]?.getAttribute('data-amount')).toBe(rest);
      expect(await articles[i]?.locator('a.eip681').getAttribute('href')).toMatch(new RegExp(`&uint256=${rest}$`));
    }
    // The issuer's contact is right there on an expired, underpaid invoice.
    expect(await page.locator('#status-body a[href^="https://"]').count()).toBeGreaterThan(0);

    // A day and an hour after expiry the late window is closed: nothing to pay with, and the page says why.
    await expireInvoiceNow(runtime, part.id, 25 * 60);
    await page.reload();
    expect(await page.locator('#pay').isVisible()).toBe(false);
    expect(await page.locator('#late').isVisible()).toBe(false);
    expect(await page.locator('#not-payable').isVisible()).toBe(true);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
    // A payment through the whole pipeline and a browser: bound by the chain and the workers, not by this test.
  }, 120_000);

  it("answers an unpaid invoice's receipt page with 404 and a way back to the invoice", async () => {
    const open = await issueInvoice();
    const response = await fetch(`${runtime.apiUrl}/pay/${open.id}/receipt?lang=ru`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain(RECEIPT_STRINGS.ru.notReadyTitle);
    expect(html).toContain(`/pay/${open.id}?lang=ru`);
  });

  it('answers an unknown invoice with a 404 page in the asked language', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${runtime.apiUrl}/pay/inv_ZZZZZZZZZZZZZZZZZZZZZZ?lang=kk`);
    expect(response?.status()).toBe(404);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(await page.locator('h1').textContent()).toBe(PAY_STRINGS.kk.notFoundTitle);
    await context.close();
  });
});
