/**
 * The sweeper use case against in-memory ports: a node with a DepositFactory (test/support/memory-sweeps.ts) and the
 * sweep store. What it sweeps, when a sweep is final, what it records and journals, and that crashes at every step
 * and runs twice sweep nothing twice.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type SweepDepositsDeps, sweepDeposits } from '../../shared/app/sweep-deposits';
import { localChain } from '../../shared/domain/chains';
import { forwarderAddress } from '../../shared/domain/forwarder-address';
import { trialBalance } from '../../shared/domain/journal';
import { MAX_SWEEP_BATCH_SIZE, sweepBatchSize } from '../../shared/domain/sweeps';
import { MemoryChain } from '../support/memory-chain';
import { MemorySweepChain, MemorySweepStore } from '../support/memory-sweeps';

/** The gauges and counters the use case publishes (the alarms read them), recorded instead of sent. */
const published = vi.hoisted(() => ({ gas: [] as number[], oldest: [] as number[], counts: [] as string[] }));
vi.mock('../../shared/adapters/metrics', () => ({
  countMetric: (name: string) => published.counts.push(name),
  sweeperGasGauge: (_chainId: number, balance: number) => published.gas.push(balance),
  oldestSubmittedSweepGauge: (_chainId: number, seconds: number) => published.oldest.push(seconds),
}));
beforeEach(() => {
  published.gas.length = 0;
  published.oldest.length = 0;
  published.counts.length = 0;
});

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const TOKEN_B = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const FACTORY = '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853';
const CUSTODY = '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199';
const chain = {
  ...localChain(
    [
      { address: TOKEN, symbol: 'USDT', decimals: 6 },
      { address: TOKEN_B, symbol: 'USDC', decimals: 6 },
    ],
    3,
  ),
  depositFactory: FACTORY,
};

function setup(options: { batchSize?: number; threshold?: bigint } = {}) {
  const rpc = new MemoryChain(10);
  const node = new MemorySweepChain(rpc, CUSTODY);
  const store = new MemorySweepStore();
  const faults = new Set<string>();
  const deps: SweepDepositsDeps = {
    rpc,
    chain: node,
    store,
    custody: CUSTODY,
    threshold: () => options.threshold ?? 10_000n,
    batchSize: options.batchSize ?? 50,
    now: () => new Date('2026-12-01T12:00:00.000Z'),
    fault: (step) => {
      if (faults.delete(step)) throw new Error(`injected fault at sweeper:${step}`);
    },
  };
  /** An invoice's forwarder paid `amount`, final, and marked as reconciliation marks it. */
  const paid = (invoiceId: string, amount: bigint, token = TOKEN) => {
    const address = forwarderAddress({ factory: FACTORY }, invoiceId);
    node.pay(token, address, amount);
    store.addCandidate({ chainId: 31337, token, address, invoiceId, transferId: `t-${invoiceId}`, at: '' });
    return address;
  };
  const run = () => sweepDeposits(chain, deps);
  /** Runs until no sweep is left submitted, mining past finality between runs. */
  const runToFinal = async () => {
    for (let i = 0; i < 5; i++) {
      rpc.mine(3);
      const report = await run();
      if (!(await store.submitted(31337)).length) return report;
    }
    throw new Error('sweeps did not become final');
  };
  return { rpc, node, store, deps, faults, paid, run, runToFinal };
}

describe('sweepDeposits', () => {
  it('sweeps final deposits to custody in one batch, records the sweep final at finality with per-invoice amounts, journals deposit → custody and clears the candidates', async () => {
    const { node, store, paid, run, runToFinal } = setup();
    const a = paid('inv_a', 500_000_000n);
    const b = paid('inv_b', 20_000_000n);
    const first = await run();
    expect(first).toMatchObject({ submitted: 1, addresses: 2, candidates: 2, final: 0 });
    const [sweep] = [...store.sweeps.values()];
    expect(sweep).toMatchObject({ state: 'submitted', nonce: 0, custody: CUSTODY, token: TOKEN });
    expect(node.balanceOf(TOKEN, a)).toBe(0n);
    expect(node.balanceOf(TOKEN, CUSTODY)).toBe(520_000_000n);

    const settled = await runToFinal();
    expect(settled).toMatchObject({ final: 1, cleared: 2, submitted: 0 });
    const final = store.sweeps.get(sweep?.id as string);
    expect(final).toMatchObject({ state: 'final', amount: 520_000_000n });
    expect(final?.addresses).toEqual([
      { invoiceId: 'inv_a', address: a, amount: 500_000_000n },
      { invoiceId: 'inv_b', address: b, amount: 20_000_000n },
    ]);
    const entry = store.journal.get(`${sweep?.id}:final`);
    expect(entry?.lines).toEqual([
      { account: `custody:31337:${TOKEN.toLowerCase()}`, debit: 520_000_000n, credit: 0n },
      { account: `deposit:31337:${TOKEN.toLowerCase()}`, debit: 0n, credit: 520_000_000n },
    ]);
    expect(trialBalance(store.journal.values())).toEqual({ debits: 520_000_000n, credits: 520_000_000n });
    expect(store.candidatesByKey.size).toBe(0);
    expect(node.broadcasts).toHaveLength(1);
  });

  it('waits for finality before recording, and keeps one sweep of a token in flight', async () => {
    const { store, paid, run, rpc, node } = setup();
    paid('inv_a', 500_000_000n);
    await run();
    paid('inv_c', 30_000_000n);
    expect(await run()).toMatchObject({ waiting: 1, submitted: 0 });
    expect([...store.sweeps.values()].map((s) => s.state)).toEqual(['submitted']);
    rpc.mine(3);
    // Final now: recorded; the new deposit goes in a second sweep of the same run.
    expect(await run()).toMatchObject({ final: 1, submitted: 1 });
    expect(node.broadcasts).toHaveLength(2);
  });

  it('leaves an address below the threshold for later, and bounds a batch', async () => {
    const { store, paid, run } = setup({ batchSize: 2, threshold: 1_000_000n });
    paid('inv_dust', 999_999n);
    for (const id of ['inv_1', 'inv_2', 'inv_3']) paid(id, 5_000_000n);
    expect(await run()).toMatchObject({ submitted: 1, addresses: 2 });
    expect(store.candidatesByKey.size).toBe(4);
  });

  it('records a frozen address as SweepFailed and sweeps the others; the frozen one stays a candidate', async () => {
    const { node, store, paid, run, runToFinal } = setup();
    const frozen = paid('inv_frozen', 100_000_000n);
    paid('inv_ok', 200_000_000n);
    node.frozen.add(frozen.toLowerCase());
    await run();
    await runToFinal();
    const [sweep] = [...store.sweeps.values()];
    expect(sweep).toMatchObject({ state: 'final', amount: 200_000_000n });
    expect(sweep?.addresses.find((x) => x.invoiceId === 'inv_frozen')).toMatchObject({ amount: 0n });
    expect(sweep?.addresses.find((x) => x.invoiceId === 'inv_frozen')?.failedReason).toBeDefined();
    expect([...store.candidatesByKey.values()].map((c) => c.invoiceId)).toEqual(['inv_frozen']);
    expect(node.balanceOf(TOKEN, frozen)).toBe(100_000_000n);
    // Deferred a day, not tried again in every run.
    expect(await run()).toMatchObject({ candidates: 0, submitted: 0 });
    expect(store.sweeps.size).toBe(1);
    expect([...store.candidatesByKey.values()][0]?.notBefore).toBe('2026-12-02T12:00:00.000Z');
  });

  it('crash after recording, before broadcasting: the next run sends the same bytes; swept once', async () => {
    const { node, store, faults, paid, run, runToFinal } = setup();
    paid('inv_a', 500_000_000n);
    faults.add('after-record');
    await expect(run()).rejects.toThrow(/after-record/);
    expect(node.broadcasts).toEqual([]);
    expect(await run()).toMatchObject({ rebroadcast: 1, submitted: 0 });
    await runToFinal();
    expect([...store.sweeps.values()]).toEqual([expect.objectContaining({ state: 'final', amount: 500_000_000n })]);
    expect(node.mined.size).toBe(1);
    expect(node.balanceOf(TOKEN, CUSTODY)).toBe(500_000_000n);
  });

  it('crash after broadcasting, and again before recording the outcome: recorded final once, journaled once', async () => {
    const { node, store, faults, paid, run, runToFinal, rpc } = setup();
    paid('inv_a', 500_000_000n);
    faults.add('after-broadcast');
    await expect(run()).rejects.toThrow(/after-broadcast/);
    rpc.mine(3);
    faults.add('before-outcome');
    await expect(run()).rejects.toThrow(/before-outcome/);
    await runToFinal();
    await run();
    expect([...store.sweeps.values()]).toEqual([expect.objectContaining({ state: 'final' })]);
    expect(store.journal.size).toBe(1);
    expect(node.broadcasts).toHaveLength(1);
    expect(node.balanceOf(TOKEN, CUSTODY)).toBe(500_000_000n);
  });

  it('fails a sweep whose nonce another transaction took at a final block, and sweeps its addresses again', async () => {
    const { node, store, faults, paid, run, runToFinal, rpc } = setup();
    paid('inv_a', 500_000_000n);
    faults.add('after-record');
    await expect(run()).rejects.toThrow();
    node.useNonce();
    // Used at a block not final yet (a reorg could undo it): the sweep waits, nothing else is sent for the token.
    expect(await run()).toMatchObject({ waiting: 1, failed: 0, submitted: 0 });
    expect([...store.sweeps.values()].map((s) => s.state)).toEqual(['submitted']);
    rpc.mine(2);
    const report = await run();
    expect(report).toMatchObject({ failed: 1, submitted: 1 });
    await runToFinal();
    const states = [...store.sweeps.values()].map((s) => [s.state, s.failure]);
    expect(states).toEqual([
      ['failed', 'nonce used by another transaction'],
      ['final', undefined],
    ]);
    expect(node.balanceOf(TOKEN, CUSTODY)).toBe(500_000_000n);
  });

  it('reports the gas balance, the oldest submitted sweep and the requests of a run', async () => {
    const { node, paid, run, deps } = setup();
    node.hold = true;
    paid('inv_a', 500_000_000n);
    await run();
    deps.now = () => new Date('2026-12-01T12:10:00.000Z');
    const report = await run();
    expect(report).toMatchObject({ gasBalance: '1.0', oldestSubmittedSeconds: 600, waiting: 1 });
    expect(report.requests).toBeGreaterThan(0);
  });

  it('a refused send (no gas) stops neither the run, the other token nor the gauges; the sweep stays submitted and is sent again', async () => {
    const { node, store, paid, run, runToFinal, deps, rpc } = setup();
    paid('inv_b', 7_000_000n, TOKEN_B);
    paid('inv_a', 500_000_000n);
    node.refuse = { reason: 'insufficient funds for gas * price + value', token: TOKEN };
    node.gas = 10n ** 15n;
    expect(await run()).toMatchObject({ submitted: 1, sendFailures: 1, gasBalance: '0.001' });
    expect(published.counts).toContain('SweepSendFailures');
    expect(published.gas).toEqual([0.001]);
    expect(published.oldest).toEqual([0]);
    const refused = [...store.sweeps.values()].find((s) => s.token === TOKEN);
    expect(refused).toMatchObject({ state: 'submitted' });

    node.refuse = { reason: 'insufficient funds for gas * price + value' };
    deps.now = () => new Date('2026-12-01T12:10:00.000Z');
    rpc.mine(3);
    expect(await run()).toMatchObject({ waiting: 1, final: 1, oldestSubmittedSeconds: 600 });
    expect(published.oldest).toEqual([0, 600]);

    node.refuse = undefined;
    expect(await run()).toMatchObject({ rebroadcast: 1 });
    await runToFinal();
    expect(store.sweeps.get(refused?.id as string)).toMatchObject({ state: 'final', amount: 500_000_000n });
    expect(node.balanceOf(TOKEN, CUSTODY)).toBe(500_000_000n);
  });

  it('publishes the gas balance and the oldest submitted sweep even when the run fails', async () => {
    const { node, paid, run, deps } = setup();
    node.hold = true;
    paid('inv_a', 500_000_000n);
    await run();
    deps.now = () => new Date('2026-12-01T13:30:00.000Z');
    node.tokenBalances = async () => {
      throw new Error('node down');
    };
    paid('inv_b', 7_000_000n, TOKEN_B);
    await expect(run()).rejects.toThrow(/node down/);
    expect(published.gas).toEqual([1, 1]);
    expect(published.oldest).toEqual([0, 5400]);
  });

  it('caps the batch size so a sweep, its lock and its invoice links fit one DynamoDB transaction (100 items)', async () => {
    expect(MAX_SWEEP_BATCH_SIZE).toBe(98);
    expect(sweepBatchSize(undefined)).toBe(50);
    expect(sweepBatchSize('98')).toBe(98);
    for (const bad of ['99', '200', '0', '-1', '2.5', 'many']) expect(() => sweepBatchSize(bad)).toThrow(/1 to 98/);
    const { node, store, paid, run } = setup({ batchSize: 99 });
    paid('inv_a', 500_000_000n);
    await expect(run()).rejects.toThrow(/SWEEP_BATCH_SIZE/);
    expect(store.sweeps.size).toBe(0);
    expect(node.broadcasts).toEqual([]);
  });

  it('never gives two sweeps one nonce when the pending count lags, in one run or across runs', async () => {
    const inOneRun = setup();
    inOneRun.node.hold = true;
    inOneRun.node.pendingLags = true;
    inOneRun.paid('inv_a', 500_000_000n);
    inOneRun.paid('inv_b', 7_000_000n, TOKEN_B);
    expect(await inOneRun.run()).toMatchObject({ submitted: 2 });
    expect([...inOneRun.store.sweeps.values()].map((s) => s.nonce)).toEqual([0, 1]);

    const acrossRuns = setup();
    const { node, store, paid, run, runToFinal } = acrossRuns;
    node.hold = true;
    node.pendingLags = true;
    paid('inv_a', 500_000_000n);
    await run();
    paid('inv_b', 7_000_000n, TOKEN_B);
    expect(await run()).toMatchObject({ waiting: 1, submitted: 1 });
    expect([...store.sweeps.values()].map((s) => s.nonce)).toEqual([0, 1]);
    node.hold = false;
    node.mineMempool();
    await runToFinal();
    expect([...store.sweeps.values()].map((s) => s.state)).toEqual(['final', 'final']);
    expect(node.balanceOf(TOKEN, CUSTODY) + node.balanceOf(TOKEN_B, CUSTODY)).toBe(507_000_000n);
  });

  it('never journals a sweep of a token whose decimals it does not know: left submitted, logged', async () => {
    const { store, paid, run, rpc } = setup();
    const unknown = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
    paid('inv_x', 5_000_000n, unknown);
    expect(await run()).toMatchObject({ submitted: 1 });
    rpc.mine(3);
    expect(await run()).toMatchObject({ final: 0, waiting: 1 });
    expect([...store.sweeps.values()].map((s) => s.state)).toEqual(['submitted']);
    expect(store.journal.size).toBe(0);
  });
});
