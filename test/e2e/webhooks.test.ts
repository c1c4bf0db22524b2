/**
 * The webhook path end to end on the local runtime: the provider emulator follows the chain and delivers signed
 * Alchemy webhooks; the chain scanner is paused, so only webhooks discover payments (the confirmer still decides
 * finality). Also: duplicates, wrong signatures, late and underpaid invoices, the journal and the receipt chain.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getAddress, zeroPadValue } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { alchemySignature } from '../../shared/adapters/providers/alchemy';
import { type Receipt, verifyReceiptChain } from '../../shared/domain/receipts';
import { type ApiClient, apiClient } from '../helpers/api';
import { expireInvoiceNow, pay as payFrom, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let auditor: string;

const payer = { bin: '940140000385', name: 'Test Firm LLP' };
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  await runtime.schedules.get('scan-chain')?.pause();
  api = apiClient(runtime.apiUrl);
  [afsa, auditor] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
  ]);
});

afterAll(async () => {
  await runtime?.stop();
});

async function issue(body: Record<string, unknown> = {}) {
  const r = await api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode: 'AFSA-APP-AI', payer, ...body } });
  expect(r.status).toBe(201);
  runtime.provider.watch([r.json.depositAddress]);
  return r.json;
}

const pay = (to: string, amount: bigint, payerIndex = 0) => payFrom(runtime, to, amount, payerIndex);
const expireNow = (id: string, minutesAgo = 1) => expireInvoiceNow(runtime, id, minutesAgo);

const invoiceOf = async (id: string) => (await api.call('GET', `/v1/invoices/${id}`, { token: afsa })).json;

/** Moves an invoice's expiry into the past, as time would. */

function alchemyBody(receipt: { hash: string; blockHash: string; blockNumber: number; logs: readonly any[] }) {
  const log = receipt.logs.find((l) => l.topics[0] === TRANSFER_TOPIC);
  return JSON.stringify({
    webhookId: runtime.provider.webhookId,
    id: `whevt_${receipt.hash.slice(2, 18)}`,
    createdAt: new Date().toISOString(),
    type: 'ADDRESS_ACTIVITY',
    event: {
      network: 'LOCAL_HARDHAT',
      activity: [
        {
          fromAddress: getAddress(`0x${log.topics[1].slice(26)}`).toLowerCase(),
          toAddress: getAddress(`0x${log.topics[2].slice(26)}`).toLowerCase(),
          blockNum: `0x${receipt.blockNumber.toString(16)}`,
          hash: receipt.hash,
          value: 500,
          asset: 'USDT',
          category: 'token',
          rawContract: { rawValue: zeroPadValue(log.data, 32), address: log.address.toLowerCase(), decimals: 6 },
          log: {
            address: log.address.toLowerCase(),
            topics: log.topics,
            data: log.data,
            blockNumber: `0x${receipt.blockNumber.toString(16)}`,
            transactionHash: receipt.hash,
            transactionIndex: '0x0',
            blockHash: receipt.blockHash,
            logIndex: `0x${log.index.toString(16)}`,
            removed: false,
          },
        },
      ],
    },
  });
}

const postAlchemy = (body: string, signature = alchemySignature(body, runtime.env.WEBHOOK_SECRET_ALCHEMY as string)) =>
  fetch(`${runtime.apiUrl}/v1/webhooks/alchemy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-alchemy-signature': signature },
    body,
  });

describe('reconciliation by Alchemy webhooks (scanner paused)', () => {
  it('pays an invoice from the webhook alone, within the finality depth', async () => {
    const invoice = await issue();
    await pay(invoice.depositAddress, 500_000_000n);
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid',
    );
    expect(paid.transfers).toHaveLength(1);
    expect(paid.transfers[0].sources).toEqual(['alchemy']);
    expect(paid.receiptId).toMatch(/^rcp_/);
  });

  it('credits the same webhook delivered 10 times (5 concurrently) once, with one receipt', async () => {
    runtime.provider.setSwitches({ paused: true });
    try {
      const invoice = await issue();
      const receipt = await pay(invoice.depositAddress, 500_000_000n, 1);
      const body = alchemyBody(receipt);
      for (let i = 0; i < 5; i++) expect((await postAlchemy(body)).status).toBe(200);
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => postAlchemy(body)));
      expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const paid = await until(
        () => invoiceOf(invoice.id),
        (i) => i.status === 'paid',
      );
      expect(paid.paidMicroUsd).toBe('500000000');
      expect(paid.transfers).toHaveLength(1);
      const receipts = (await api.call('GET', '/v1/receipts?limit=100', { token: afsa })).json.items;
      expect(receipts.filter((r: Receipt) => r.invoiceId === invoice.id)).toHaveLength(1);
    } finally {
      runtime.provider.setSwitches({ paused: false });
    }
  });

  it('answers a wrong signature with 401 and enqueues nothing', async () => {
    const sqs = new SQSClient({ endpoint: runtime.aws.endpoint });
    const depth = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: runtime.resources.queueUrls.transfers,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
      );
    };
    await runtime.schedules.get('confirm-transfers')?.pause();
    runtime.provider.setSwitches({ paused: true });
    try {
      await until(depth, (d) => d === 0);
      const body = JSON.stringify({
        webhookId: 'x',
        id: 'y',
        createdAt: new Date().toISOString(),
        type: 'ADDRESS_ACTIVITY',
        event: { network: 'LOCAL_HARDHAT', activity: [] },
      });
      const r = await postAlchemy(body, alchemySignature(body, 'not-the-secret'));
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect((await postAlchemy(body, '')).status).toBe(401);
      expect(await depth()).toBe(0);
    } finally {
      runtime.provider.setSwitches({ paused: false });
      runtime.schedules.get('confirm-transfers')?.resume();
      sqs.destroy();
    }
  });

  it('marks a payment after expiry (inside the late window) late; a partial payment then expiry underpaid', async () => {
    const late = await issue();
    await expireNow(late.id);
    await pay(late.depositAddress, 500_000_000n, 2);
    const paidLate = await until(
      () => invoiceOf(late.id),
      (i) => i.status === 'paid',
    );
    expect(paidLate.exception).toBe('late');

    const partial = await issue();
    await pay(partial.depositAddress, 100_000_000n, 3);
    await until(
      () => invoiceOf(partial.id),
      (i) => i.status === 'processing' && i.paidMicroUsd === '100000000',
    );
    await expireNow(partial.id);
    const expired = await until(
      () => invoiceOf(partial.id),
      (i) => i.status === 'expired',
    );
    expect(expired).toMatchObject({ exception: 'underpaid', paidMicroUsd: '100000000', receiptId: null });
  });

  it('puts a webhook-reported transfer to a cancelled invoice in suspense', async () => {
    const invoice = await issue();
    expect((await api.call('POST', `/v1/invoices/${invoice.id}/cancel`, { token: afsa })).status).toBe(200);
    const receipt = await pay(invoice.depositAddress, 500_000_000n, 4);
    const operator = await api.token({ role: 'operator' });
    const items = await until(
      async () => (await api.call('GET', '/v1/transfers?match=unmatched', { token: operator })).json.items,
      (list: { txHash: string }[]) => list.some((t) => t.txHash === receipt.hash.toLowerCase()),
    );
    const entry = items.find((t: { txHash: string }) => t.txHash === receipt.hash.toLowerCase());
    expect(entry).toMatchObject({ unmatchedReason: 'invoice_cancelled', sources: ['alchemy'] });
    expect((await invoiceOf(invoice.id)).status).toBe('cancelled');
  });

  it('keeps the journal balanced and every ministry receipt chain linked', async () => {
    // The API adds the delivery state beside the signed fields; the signed document is the rest.
    const receipts = (await api.call('GET', '/v1/receipts?limit=100', { token: auditor })).json.items.map(
      ({ delivery: _delivery, ...signed }: Receipt & { delivery: unknown }) => signed,
    ) as Receipt[];
    expect(receipts.length).toBeGreaterThanOrEqual(3);
    const signer = (await api.call('GET', '/v1/health')).json.signer;
    expect(verifyReceiptChain(receipts, { expectedSigner: signer })).toEqual([]);

    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.aws.endpoint }));
    const { Items = [] } = await ddb.send(
      new ScanCommand({
        TableName: runtime.resources.tableName,
        FilterExpression: '#t = :j',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':j': 'journal' },
      }),
    );
    ddb.destroy();
    let debits = 0n;
    let credits = 0n;
    for (const entry of Items)
      for (const line of entry.lines) {
        debits += BigInt(line.debit);
        credits += BigInt(line.credit);
      }
    expect(Items.length).toBeGreaterThan(0);
    expect(debits).toBe(credits);
  });
});
