/**
 * CPU per transfer of our own code: the reconcile use case (zod parse of the queue message, the rules, planning,
 * receipt signing, logging) against the in-memory store
 * port (test/support/memory-reconcile-store.ts), each transfer once `seen` and once `final` (which issues its
 * receipt). `process.cpuUsage` over every transfer after a warm-up. Signing is our CPU too: the figure is given with
 * it, and without it (the CPU of signing the same receipts, measured apart, subtracted). Lambda's own wrapper
 * (middy, the batch processor) is not in the figure.
 */
import { randomBytes } from 'node:crypto';
import { intEnv, progress, runSection } from '../lib/section';
import { round } from '../lib/stats';

Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'stablefee',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
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
  const { reconcileTransfer } = await import('../../../shared/app/reconcile-transfer');
  const { transferObservedSchema } = await import('../../../shared/domain/transfers');
  const { signTypedDocument } = await import('../../../shared/domain/receipts');
  const { Wallet } = await import('ethers');
  const { openInvoice, reconcileDeps, TOKEN, PAYER } = await import('../../support/reconcile-fixtures');

  const { store, deps, signer } = reconcileDeps(undefined, '2026-12-01T10:10:00.000Z');
  // Messages as the queue delivers them: per transfer a `seen` sighting and later its `final` re-check.
  const bodies = Array.from({ length: warmup + n }, (_, i) => {
    const invoice = openInvoice({
      id: `inv_${String(i).padStart(22, '0')}`,
      depositAddress: Wallet.createRandom().address,
    });
    store.addInvoice(invoice);
    const base = {
      chainId: 31337,
      token: TOKEN,
      txHash: hex32(),
      logIndex: 0,
      blockNumber: 100 + i,
      blockHash: hex32(),
      from: PAYER,
      to: invoice.depositAddress,
      amount: '500000000',
      removed: false,
      observedAt: '2026-12-01T10:05:00.000Z',
    };
    return {
      seen: JSON.stringify({ ...base, source: 'scanner', correlationId: randomBytes(8).toString('hex') }),
      final: JSON.stringify({ ...base, source: 'confirmer', final: true }),
    };
  });
  const run = async (start: number, end: number) => {
    for (let i = start; i < end; i++) {
      for (const kind of ['seen', 'final'] as const) {
        const seen = transferObservedSchema.parse(JSON.parse(bodies[i]?.[kind] ?? ''));
        await reconcileTransfer(seen, deps);
      }
    }
  };

  await run(0, warmup);
  const before = { reads: store.reads, commits: store.commits };
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await run(warmup, warmup + n);
  const withSigning = cpuMs(cpuStart) / n;
  const wall = (performance.now() - wallStart) / n;

  // Signing the receipts just issued, apart.
  const receipts = [...store.documents.values()].slice(-n).map((d) => d.receipt);
  if (receipts.length !== n) throw new Error(`expected ${n} receipts, found ${receipts.length}`);
  const signStart = process.cpuUsage();
  for (const r of receipts) await signTypedDocument(r.typedData, signer);
  const signing = cpuMs(signStart) / n;
  log(`with signing ${round(withSigning * 1000, 0)} µs, signing ${round(signing * 1000, 0)} µs per transfer`);

  return {
    transfers: n,
    warmup,
    useCaseCallsPerTransfer: 2,
    usPerTransfer: round(withSigning * 1000, 0),
    usPerTransferWithoutSigning: round((withSigning - signing) * 1000, 0),
    usSigningPerReceipt: round(signing * 1000, 0),
    wallUsPerTransfer: round(wall * 1000, 0),
    storeReadsPerTransfer: round((store.reads - before.reads) / n, 2),
    storeCommitsPerTransfer: round((store.commits - before.commits) / n, 2),
  };
});
