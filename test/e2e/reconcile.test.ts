/**
 * Payment detection and reconciliation end to end on the local runtime: payments from funded Hardhat accounts to
 * invoices' forwarder deposit addresses, found by the chain scanner (no webhook), confirmed by the confirmer,
 * reconciled into invoices, journal and signed receipts; a paid forwarder is swept to the local custody by the sweeper.
 */
import { Contract, verifyTypedData } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContract } from '../../infra/local/contracts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { forwarderAddress } from '../../shared/domain/forwarder-address';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay as payFrom, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let auditor: string;
let operator: string;
let signer: string;

const payer = { bin: '940140000385', name: 'Test Firm LLP' };

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  // No webhooks here: the scanner alone must find every payment.
  runtime.provider.setSwitches({ paused: true });
  api = apiClient(runtime.apiUrl);
  [afsa, auditor, operator] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
    api.token({ role: 'operator' }),
  ]);
  signer = (await api.call('GET', '/v1/health')).json.signer;
});

afterAll(async () => {
  await runtime?.stop();
});

async function issue(feeCode = 'AFSA-APP-AI') {
  const r = await api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode, payer } });
  expect(r.status).toBe(201);
  return r.json;
}

const pay = (to: string, amount: bigint, payerIndex = 0, symbol = 'USDT') =>
  payFrom(runtime, to, amount, payerIndex, symbol);

const invoiceOf = async (id: string) => (await api.call('GET', `/v1/invoices/${id}`, { token: afsa })).json;

/** The balance of the local token `symbol` held by `holder`. */
async function balanceOf(symbol: string, holder: string): Promise<bigint> {
  const token = runtime.chain.tokens.find((t) => t.symbol === symbol)?.address as string;
  const erc20 = new Contract(token, compileContract('TestToken').abi as never, runtime.chain.provider);
  return (await erc20.getFunction('balanceOf')(holder)) as bigint;
}

describe('reconciliation by the chain scanner alone', () => {
  it('pays an invoice paid exactly, with one signed, verifiable receipt; the sweeper sweeps its forwarder', async () => {
    const invoice = await issue();
    // The local chain has a deposit factory: the invoice's address is its forwarder, on every option too.
    expect(invoice.depositScheme).toBe('forwarder');
    expect(invoice.depositAddress).toBe(forwarderAddress({ factory: runtime.chain.depositFactory }, invoice.id));
    for (const option of invoice.options) expect(option.depositAddress).toBe(invoice.depositAddress);
    await pay(invoice.depositAddress, 500_000_000n);
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid',
    );
    expect(paid).toMatchObject({
      exception: 'none',
      paidMicroUsd: '500000000',
      pendingMicroUsd: '0',
      overpaidMicroUsd: '0',
    });
    expect(paid.transfers).toHaveLength(1);
    expect(paid.transfers[0]).toMatchObject({
      state: 'final',
      amount: '500000000',
      invoiceId: invoice.id,
      sources: ['scanner'],
    });
    expect(paid.receiptId).toMatch(/^rcp_/);

    const receipt = (await api.call('GET', `/v1/receipts/${paid.receiptId}`, { token: afsa })).json;
    const { domain, types, message } = receipt.typedData;
    expect(verifyTypedData(domain, types, message, receipt.signature)).toBe(signer);
    expect(receipt.payments).toHaveLength(1);
    expect(receipt.payments[0].txHash).toBe(paid.transfers[0].txHash);
    const tampered = { ...message, paidMicroUsd: '500000001' };
    expect(verifyTypedData(domain, types, tampered, receipt.signature)).not.toBe(signer);
    // It signs the reference-data version the invoice was priced with (issue 18); an edited one no longer verifies.
    expect(invoice.pricedWith.fee).toBe('seed:fee:AFSA-APP-AI');
    expect(receipt.pricedWith).toEqual(invoice.pricedWith);
    expect(message.feeVersion).toBe(invoice.pricedWith.fee);
    const otherVersion = { ...message, feeVersion: 'chg_other' };
    expect(verifyTypedData(domain, types, otherVersion, receipt.signature)).not.toBe(signer);

    const own = await api.call('GET', `/v1/pay/${invoice.id}/receipt`);
    expect(own.json.receiptId).toBe(paid.receiptId);

    // The money at the forwarder reaches custody: the scheduled sweeper sweeps it (test/e2e/sweeper.test.ts in full).
    const swept = await until(
      () => invoiceOf(invoice.id),
      (i) => i.sweeps?.[0]?.state === 'final',
    );
    expect(swept.sweeps[0]).toMatchObject({ amount: '500000000', token: runtime.chain.tokens[0]?.address });
    expect(await balanceOf('USDT', invoice.depositAddress)).toBe(0n);
  });

  it('moves half then the rest through processing to paid; 1.5x is overpaid', async () => {
    const invoice = await issue();
    await pay(invoice.depositAddress, 250_000_000n);
    const half = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'processing' && i.paidMicroUsd === '250000000',
    );
    expect(half.pendingMicroUsd).toBe('0');
    expect(half.receiptId).toBeNull();
    await pay(invoice.depositAddress, 250_000_000n, 1, 'USDC');
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid',
    );
    expect(paid).toMatchObject({ paidMicroUsd: '500000000', exception: 'none' });
    expect(paid.transfers.map((t: { state: string }) => t.state)).toEqual(['final', 'final']);

    const over = await issue();
    await pay(over.depositAddress, 750_000_000n, 2);
    const overpaid = await until(
      () => invoiceOf(over.id),
      (i) => i.status === 'paid',
    );
    expect(overpaid).toMatchObject({ exception: 'overpaid', paidMicroUsd: '750000000', overpaidMicroUsd: '250000000' });
  });

  it('credits an 18-decimal token exactly', async () => {
    const invoice = await issue();
    await pay(invoice.depositAddress, 500n * 10n ** 18n, 3, 'USD18');
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid',
    );
    expect(paid.paidMicroUsd).toBe('500000000');
  });

  it('pays exactly with 18-decimal parts that add up to the due amount (summed in base units first)', async () => {
    const invoice = await issue();
    await pay(invoice.depositAddress, 249_999_999_999_999_999_999n, 3, 'USD18');
    await pay(invoice.depositAddress, 250_000_000_000_000_000_001n, 3, 'USD18');
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid',
    );
    expect(paid).toMatchObject({ paidMicroUsd: '500000000', overpaidMicroUsd: '0', exception: 'none' });
    const receipt = (await api.call('GET', `/v1/receipts/${paid.receiptId}`, { token: afsa })).json;
    const parts = receipt.payments.map((p: { microUsd: string }) => BigInt(p.microUsd));
    expect(parts.reduce((a: bigint, b: bigint) => a + b, 0n)).toBe(500_000_000n);
  });

  it('reverts a payment undone by a reorg before finality: back to open, no receipt', async () => {
    const invoice = await issue();
    const rpc = runtime.chain.provider;
    await rpc.send('evm_setIntervalMining', [0]);
    try {
      const snapshot = await rpc.send('evm_snapshot', []);
      await pay(invoice.depositAddress, 500_000_000n, 4);
      const seen = await until(
        () => invoiceOf(invoice.id),
        (i) => i.status === 'processing',
      );
      expect(seen.pendingMicroUsd).toBe('500000000');
      await rpc.send('evm_revert', [snapshot]);
      // The chain goes on without the payment.
      for (let i = 0; i < 4; i++) await rpc.send('evm_mine', []);
      const back = await until(
        () => invoiceOf(invoice.id),
        // Both: the invoice and its transfers are two reads, and a revert can land between them.
        (i) => i.transfers[0]?.state === 'reverted' && i.status === 'open',
      );
      expect(back).toMatchObject({ status: 'open', pendingMicroUsd: '0', paidMicroUsd: '0', receiptId: null });
    } finally {
      await rpc.send('evm_setIntervalMining', [250]);
    }
    // It stays reverted as the chain moves past the old finality depth.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await invoiceOf(invoice.id)).status).toBe('open');
  });

  it('puts a transfer to a cancelled invoice in suspense, and the invoice stays cancelled', async () => {
    const invoice = await issue();
    expect((await api.call('POST', `/v1/invoices/${invoice.id}/cancel`, { token: afsa })).status).toBe(200);
    const receipt = await pay(invoice.depositAddress, 500_000_000n, 5);
    const suspense = await until(
      async () => (await api.call('GET', '/v1/transfers?match=unmatched', { token: operator })).json.items,
      (items: { txHash: string; state: string }[]) =>
        items.some((t) => t.txHash === receipt.hash.toLowerCase() && t.state === 'final'),
    );
    const entry = suspense.find((t: { txHash: string }) => t.txHash === receipt.hash.toLowerCase());
    expect(entry).toMatchObject({ unmatchedReason: 'invoice_cancelled', invoiceId: null, amount: '500000000' });
    expect((await invoiceOf(invoice.id)).status).toBe('cancelled');
    expect((await api.call('GET', '/v1/transfers?match=unmatched', { token: auditor })).status).toBe(200);
    expect((await api.call('GET', '/v1/transfers?match=unmatched', { token: afsa })).status).toBe(403);
  });
});
