/**
 * CPU per transfer of our own code: the real reconcile-transfers handler (middy, batch processor, zod parsing,
 * reconciliation rules, item building, receipt signing and verification, logging) invoked with SQS batches as the
 * pipeline sees them — each transfer once `seen` (webhook) and once `final` (confirmer), which issues its receipt —
 * with DynamoDB and SQS answered in memory before the SDK's stack (test/bench/lib/fake-aws.ts). `process.cpuUsage`
 * over every transfer after a warm-up. Signing is our CPU too: the figure is given with it, and without it (the
 * CPU of signing and verifying the same receipts, measured apart, subtracted).
 */
import { randomBytes } from 'node:crypto';
import { intEnv, progress, runSection } from '../lib/section';
import { round } from '../lib/stats';

const USDT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

Object.assign(process.env, {
  STAGE: 'local',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CHAINS: JSON.stringify([{ chainId: 31337, rpcUrl: 'http://127.0.0.1:9' }]),
  LOCAL_CHAIN_TOKENS: JSON.stringify([{ address: USDT, symbol: 'USDT', decimals: 6 }]),
  LOCAL_FINALITY_DEPTH: '3',
  TABLE_NAME: 'bench',
  QUEUE_URL_TRANSFERS: 'http://127.0.0.1:9/q/transfers',
  QUEUE_URL_OUTBOX: 'http://127.0.0.1:9/q/outbox',
  QUEUE_URL_ADDRESSWATCH: 'http://127.0.0.1:9/q/addressWatch',
  RECEIPT_SIGNER_PRIVATE_KEY: `0x${randomBytes(32).toString('hex')}`,
  POWERTOOLS_SERVICE_NAME: 'stablefee',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const log = (m: string) => progress('cpu', m);
const hex32 = () => `0x${randomBytes(32).toString('hex')}`;

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

runSection('cpu', async () => {
  const n = intEnv('BENCH_CPU_N', 1000);
  const warmup = Math.min(100, Math.ceil(n / 5));
  const { dynamodb } = await import('../../../shared/adapters/aws/dynamodb');
  const { sqs } = await import('../../../shared/adapters/aws/sqs');
  const { table } = fakeAwsOf(await import('../lib/fake-aws'), dynamodb, sqs);
  const { issueInvoice } = await import('../../../shared/app/issue-invoice');
  const { dynamoInvoiceStore } = await import('../../../shared/adapters/dynamo/invoices');
  const { dynamoRateStore } = await import('../../../shared/adapters/dynamo/rates');
  const { enabledChains } = await import('../../../shared/adapters/chain/enabled-chains');
  const { sampleFeeCatalog } = await import('../../../shared/domain/fees');
  const { DEV_ACCOUNT_XPUB } = await import('../../../shared/domain/deposit-address');
  const { handler } = await import('../../../functions/reconcile-transfers/handler');
  const { receiptSigner } = await import('../../../shared/adapters/signing/receipt-signer');
  const { signTypedDocument } = await import('../../../shared/domain/receipts');

  // Invoices (not measured): issued by the real use case into the fake table.
  const invoices: { depositAddress: string; amount: string }[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const { invoice } = await issueInvoice(
      'AFSA',
      { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Bench Firm LLP' } },
      undefined,
      {
        catalog: sampleFeeCatalog,
        chains: enabledChains,
        accountXpub: DEV_ACCOUNT_XPUB,
        now: () => new Date(),
        invoices: dynamoInvoiceStore,
        rates: dynamoRateStore,
      },
    );
    const option = invoice.options.find((o) => o.token === USDT);
    invoices.push({ depositAddress: invoice.depositAddress, amount: String(option?.amount ?? 500_000_000n) });
  }

  // SQS bodies as the queue delivers them: per transfer a `seen` sighting and later its `final` re-check.
  const from = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
  const bodies = invoices.map((inv, i) => {
    const base = {
      chainId: 31337,
      token: USDT,
      txHash: hex32(),
      logIndex: 0,
      blockNumber: 100 + i,
      blockHash: hex32(),
      from,
      to: inv.depositAddress,
      amount: inv.amount,
      removed: false,
      observedAt: new Date().toISOString(),
    };
    return {
      seen: JSON.stringify({ ...base, source: 'alchemy', correlationId: randomBytes(8).toString('hex') }),
      final: JSON.stringify({ ...base, source: 'confirmer', final: true }),
    };
  });
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'stablefee-reconcile-transfers',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:stablefee-reconcile-transfers',
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/stablefee-reconcile-transfers',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  const batch = (kind: 'seen' | 'final', from: number, to: number) => ({
    Records: bodies.slice(from, to).map((b, j) => ({
      messageId: `${kind}-${from + j}`,
      receiptHandle: 'r',
      body: b[kind],
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:stablefee-transfers',
      awsRegion: 'us-east-1',
    })),
  });
  const run = async (start: number, end: number) => {
    for (let i = start; i < end; i += 10) {
      for (const kind of ['seen', 'final'] as const) {
        const response = (await handler(batch(kind, i, Math.min(end, i + 10)) as never, context as never)) as {
          batchItemFailures: unknown[];
        };
        if (response.batchItemFailures.length) throw new Error(`reconcile failed for ${kind} batch at ${i}`);
      }
    }
  };

  await run(0, warmup);
  const requestsBefore = table.requests;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await run(warmup, warmup + n);
  const withSigning = cpuMs(cpuStart) / n;
  const wall = (performance.now() - wallStart) / n;
  const requestsPerTransfer = (table.requests - requestsBefore) / n;

  // Signing and verifying the receipts just issued, apart.
  const receipts = [...table.items.values()]
    .filter((item) => item.type === 'receipt')
    .slice(-n)
    .map((item) => JSON.parse(String(item.document)) as { typedData: Parameters<typeof signTypedDocument>[0] });
  if (receipts.length !== n) throw new Error(`expected ${n} receipts, found ${receipts.length}`);
  const signer = receiptSigner();
  const signStart = process.cpuUsage();
  for (const r of receipts) await signTypedDocument(r.typedData, signer);
  const signing = cpuMs(signStart) / n;
  log(`with signing ${round(withSigning * 1000, 0)} µs, signing ${round(signing * 1000, 0)} µs per transfer`);

  return {
    transfers: n,
    warmup,
    handlerInvocationsPerTransfer: 2,
    usPerTransfer: round(withSigning * 1000, 0),
    usPerTransferWithoutSigning: round((withSigning - signing) * 1000, 0),
    usSigningPerReceipt: round(signing * 1000, 0),
    wallUsPerTransfer: round(wall * 1000, 0),
    storeRequestsPerTransfer: round(requestsPerTransfer, 2),
  };
});

function fakeAwsOf(
  mod: typeof import('../lib/fake-aws'),
  dynamodb: Parameters<typeof import('../lib/fake-aws').fakeAws>[0],
  sqs: Parameters<typeof import('../lib/fake-aws').fakeAws>[1],
) {
  return mod.fakeAws(dynamodb, sqs);
}
