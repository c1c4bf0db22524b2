/** Issuing invoices against in-memory ports: catalog and chain checks, the quote, idempotency keys, address watch. */
import { describe, expect, it } from 'vitest';
import { type IssueInvoiceRequest, issueInvoice } from '../../shared/app/issue-invoice';
import { mainnetChains } from '../../shared/domain/chains';
import { DEV_ACCOUNT_XPUB, DepositFactoryConfigError, deriveDepositAddress } from '../../shared/domain/deposit-address';
import { ConflictError, ValidationError } from '../../shared/domain/errors';
import { forwarderAddress } from '../../shared/domain/forwarder-address';
import { FxRateUnavailableError } from '../../shared/domain/fx';
import { MemoryAddressWatch } from '../support/memory-address-watch';
import { MemoryLicenceRegister } from '../support/memory-compliance';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';
import { MemoryRateStore } from '../support/memory-rates';
import { memoryReferenceData } from '../support/memory-reference-data';

/** A Tuesday morning in Kazakhstan (UTC+5). */
const NOW = new Date('2026-03-10T06:00:00.000Z');
const USD_FEE: IssueInvoiceRequest = { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Firm LLP' } };
const KZT_FEE: IssueInvoiceRequest = { feeCode: 'MINFIN-DUTY-LIC-DUP', payer: { bin: '940140000385', name: 'Firm' } };

function ports() {
  const invoices = new MemoryInvoiceStore();
  const rates = new MemoryRateStore();
  const addressWatch = new MemoryAddressWatch();
  const deps = {
    reference: memoryReferenceData(),
    chains: mainnetChains,
    accountXpub: DEV_ACCOUNT_XPUB,
    now: () => NOW,
    invoices,
    rates,
    addressWatch,
    register: MemoryLicenceRegister.with(),
  };
  return { invoices, rates, addressWatch, deps };
}

describe('issueInvoice', () => {
  it('issues an open invoice at a fresh deposit index, journals it and asks for the address to be watched', async () => {
    const { invoices, addressWatch, deps } = ports();
    const { created, invoice } = await issueInvoice('AFSA', { ...USD_FEE, reference: 'APP-1' }, undefined, deps);
    expect(created).toBe(true);
    expect(invoice).toMatchObject({
      ministry: 'AFSA',
      feeCode: 'AFSA-SUP-PMS',
      status: 'open',
      dueMicroUsd: 3_000_000_000n,
      quote: { source: 'fixed' },
      reference: 'APP-1',
      depositScheme: 'xpub',
      depositIndex: 0,
      depositAddress: deriveDepositAddress(DEV_ACCOUNT_XPUB, 0),
      createdAt: NOW.toISOString(),
      expiresAt: '2026-03-10T07:00:00.000Z',
    });
    expect(await invoices.get(invoice.id)).toEqual(invoice);
    expect(invoices.journal.map((e) => e.entryId)).toEqual([`${invoice.id}:issued`]);
    expect(addressWatch.requests).toEqual([
      { action: 'watch', deposits: [{ address: invoice.depositAddress, invoiceId: invoice.id }] },
    ]);
    const second = await issueInvoice('AFSA', USD_FEE, undefined, deps);
    expect(second.invoice.depositIndex).toBe(1);
  });

  it('refuses a fee of another ministry', async () => {
    const { invoices, deps } = ports();
    const refused = issueInvoice('AFSA', KZT_FEE, undefined, deps);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ issues: [{ field: 'feeCode' }] });
    expect(invoices.invoices.size).toBe(0);
  });

  it('offers every token of every enabled chain, or of the chains asked for in their order', async () => {
    const { deps } = ports();
    const all = await issueInvoice('AFSA', USD_FEE, undefined, deps);
    const tokens = mainnetChains.flatMap((c) => c.tokens.map((t) => `${c.chainId}:${t.address}`));
    expect(all.invoice.options.map((o) => `${o.chainId}:${o.token}`)).toEqual(tokens);
    const [first, second] = mainnetChains;
    const some = await issueInvoice(
      'AFSA',
      { ...USD_FEE, chains: [second?.chainId ?? 0, first?.chainId ?? 0] },
      undefined,
      deps,
    );
    expect([...new Set(some.invoice.options.map((o) => o.chainId))]).toEqual([second?.chainId, first?.chainId]);
    // Amounts follow each token's decimals: 3 000 USD in 6 or 18 decimals.
    for (const option of some.invoice.options) expect(option.amount).toBe(3_000n * 10n ** BigInt(option.decimals));
  });

  it('refuses a chain that is not enabled, naming its position', async () => {
    const { invoices, deps } = ports();
    const refused = issueInvoice('AFSA', { ...USD_FEE, chains: [1, 999] }, undefined, deps);
    await expect(refused).rejects.toMatchObject({
      issues: [{ field: 'chains.1', message: 'chain 999 is not accepted' }],
    });
    expect(invoices.invoices.size).toBe(0);
  });

  it('quotes a KZT fee with the NBK rate in force, the latest of the week before when the day has none', async () => {
    const { rates, deps } = ports();
    rates.seed('2026-03-06', '500').seed('2026-03-01', '450');
    const { invoice } = await issueInvoice('MINFIN', KZT_FEE, undefined, deps);
    expect(invoice.quote).toMatchObject({ source: 'NBK', pair: 'USD/KZT', rate: '500', rateDate: '2026-03-06' });
    expect(invoice.dueMicroUsd).toBe(30_000_000n); // 15 000 KZT at 500 KZT per USD
  });

  it('refuses a KZT fee without a recent rate, before taking a deposit index', async () => {
    const { rates, invoices, deps } = ports();
    rates.seed('2026-03-01', '450'); // nine days old
    await expect(issueInvoice('MINFIN', KZT_FEE, undefined, deps)).rejects.toBeInstanceOf(FxRateUnavailableError);
    expect(await invoices.takeDepositIndex()).toBe(0);
  });

  it('stands when the address watch request fails: the scanner covers the address', async () => {
    const { addressWatch, deps } = ports();
    addressWatch.failWith = new Error('queue down');
    expect((await issueInvoice('AFSA', USD_FEE, undefined, deps)).created).toBe(true);
  });
});

describe('issueInvoice with an Idempotency-Key', () => {
  it('answers a replay of the same body (in any key order) with the first invoice, issuing nothing', async () => {
    const { invoices, addressWatch, deps } = ports();
    const first = await issueInvoice('AFSA', { ...USD_FEE, reference: 'R-1' }, 'key-1', deps);
    const reordered = { reference: 'R-1', payer: { name: 'Firm LLP', bin: '940140000385' }, feeCode: 'AFSA-SUP-PMS' };
    const replay = await issueInvoice('AFSA', reordered, 'key-1', deps);
    expect(replay).toEqual({ created: false, invoice: first.invoice });
    expect(invoices.invoices.size).toBe(1);
    expect(await invoices.takeDepositIndex()).toBe(1); // the replay took no index
    expect(addressWatch.requests).toHaveLength(1);
  });

  it('refuses the key with a different body', async () => {
    const { invoices, deps } = ports();
    await issueInvoice('AFSA', USD_FEE, 'key-1', deps);
    const other = issueInvoice('AFSA', { ...USD_FEE, reference: 'other' }, 'key-1', deps);
    await expect(other).rejects.toBeInstanceOf(ConflictError);
    expect(invoices.invoices.size).toBe(1);
  });

  it('keeps keys apart per ministry', async () => {
    const { rates, deps } = ports();
    rates.seed('2026-03-10', '500');
    const afsa = await issueInvoice('AFSA', USD_FEE, 'shared-key', deps);
    const minfin = await issueInvoice('MINFIN', KZT_FEE, 'shared-key', deps);
    expect(minfin.created).toBe(true);
    expect(minfin.invoice.id).not.toBe(afsa.invoice.id);
  });

  it('answers with the twin that won a race for the key, or refuses when the twin differed', async () => {
    for (const [twinBody, outcome] of [
      [USD_FEE, 'twin'],
      [{ ...USD_FEE, reference: 'other' }, 'conflict'],
    ] as const) {
      const { invoices, addressWatch, deps } = ports();
      let twin: string | undefined;
      invoices.beforeCreate = async () => {
        invoices.beforeCreate = undefined;
        twin = (await issueInvoice('AFSA', twinBody, 'race', deps)).invoice.id;
      };
      const raced = issueInvoice('AFSA', USD_FEE, 'race', deps);
      if (outcome === 'conflict') {
        await expect(raced).rejects.toBeInstanceOf(ConflictError);
      } else {
        const result = await raced;
        expect(result.created).toBe(false);
        expect(result.invoice.id).toBe(twin);
      }
      expect(invoices.invoices.size).toBe(1);
      expect(addressWatch.requests).toHaveLength(1);
    }
  });
});

describe('issueInvoice: the deposit scheme follows the enabled chains', () => {
  const FACTORY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  const OTHER_FACTORY = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
  const withFactory = (factory: string) => mainnetChains.map((chain) => ({ ...chain, depositFactory: factory }));

  it("uses the invoice's forwarder of the factory every chain names, taking no deposit index", async () => {
    const { invoices, addressWatch, deps } = ports();
    const { invoice } = await issueInvoice('AFSA', USD_FEE, undefined, { ...deps, chains: withFactory(FACTORY) });
    expect(invoice.depositScheme).toBe('forwarder');
    expect(invoice.depositAddress).toBe(forwarderAddress({ factory: FACTORY }, invoice.id));
    expect(invoice.depositIndex).toBeUndefined();
    expect(new Set(invoice.options.map((o) => o.depositAddress))).toEqual(new Set([invoice.depositAddress]));
    expect(await invoices.get(invoice.id)).toEqual(invoice);
    expect(addressWatch.requests).toEqual([
      { action: 'watch', deposits: [{ address: invoice.depositAddress, invoiceId: invoice.id }] },
    ]);
    expect(await invoices.takeDepositIndex()).toBe(0); // no index was taken
    const second = await issueInvoice('AFSA', USD_FEE, undefined, { ...deps, chains: withFactory(FACTORY) });
    expect(second.invoice.depositAddress).not.toBe(invoice.depositAddress);
  });

  it('uses the forwarder even when the request restricts the options to some chains', async () => {
    const { deps } = ports();
    const chains = withFactory(FACTORY);
    const { invoice } = await issueInvoice('AFSA', { ...USD_FEE, chains: [137] }, undefined, { ...deps, chains });
    expect(invoice).toMatchObject({ depositScheme: 'forwarder' });
    expect(invoice.depositAddress).toBe(forwarderAddress({ factory: FACTORY }, invoice.id));
  });

  it('keeps the xpub scheme when no chain names a factory', async () => {
    const { deps } = ports();
    const { invoice } = await issueInvoice('AFSA', USD_FEE, undefined, deps);
    expect(invoice).toMatchObject({ depositScheme: 'xpub', depositIndex: 0 });
  });

  it.each([
    ['different factories', (i: number) => (i === 0 ? OTHER_FACTORY : FACTORY)],
    ['a factory on some chains only', (i: number) => (i === 0 ? undefined : FACTORY)],
  ])('refuses chains that name %s, issuing nothing', async (_, factoryOf) => {
    const { invoices, addressWatch, deps } = ports();
    const chains = mainnetChains.map((chain, i) => {
      const factory = factoryOf(i);
      return factory ? { ...chain, depositFactory: factory } : chain;
    });
    const refused = issueInvoice('AFSA', USD_FEE, undefined, { ...deps, chains });
    await expect(refused).rejects.toBeInstanceOf(DepositFactoryConfigError);
    expect(invoices.invoices.size).toBe(0);
    expect(addressWatch.requests).toEqual([]);
  });
});
