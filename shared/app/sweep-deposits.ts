/**
 * The sweeper, for one chain (docs/custody.md, "Sweeper"): moves final money from forwarder deposit addresses to the
 * chain's custody with `DepositFactory.sweep(salts, token)`, paying gas with its own key, which can move nothing
 * else. A run first settles earlier sweeps still `submitted` (their receipt at finality is the truth: the factory's
 * `Swept`/`SweepFailed` events give the amounts), then reads the candidates (addresses final payments reached),
 * re-reads their balances on chain and sweeps those at or above the token's threshold.
 *
 * Crash safety: a sweep is signed first (explicit nonce: the node's pending count, but above every sweep of the key
 * still recorded submitted, so two sweeps never share one), recorded `submitted` with its raw bytes, and only then
 * broadcast. A record whose transaction the node does not know is sent again while its nonce is unused, and failed
 * once another transaction took the nonce. At most one sweep per chain and token is in flight (the store refuses a
 * second), and an outcome is recorded once, with its journal entry, so running twice sweeps and journals nothing twice.
 */
import { formatUnits } from 'ethers';
import { countMetric, oldestSubmittedSweepGauge, sweeperGasGauge } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ChainConfig, findToken, isFinal, lastFinalBlock } from '../domain/chains';
import { forwarderSalt } from '../domain/forwarder-address';
import { frozenKey } from '../domain/freeze';
import { sweepFinalEntry } from '../domain/journal';
import { tokenUnitsToMicroUsd } from '../domain/money';
import {
  FAILED_ADDRESS_RETRY_HOURS,
  nextSweepNonce,
  type Sweep,
  type SweepCandidate,
  sweepBatchSize,
  sweepId,
  sweepOutcome,
  worthSweeping,
} from '../domain/sweeps';
import type { ChainRpc, SweepChain, SweepStore, TokenBlacklist } from '../ports';
import { type ChainTip, readTip } from './chain-tip';

export interface SweepDepositsDeps {
  rpc: ChainRpc;
  chain: SweepChain;
  store: SweepStore;
  /** The factory's custody (read once from the chain by the adapter, or configuration in tests). */
  custody: string;
  /** The smallest balance worth a sweep, per token (base units). */
  threshold: (token: string) => bigint;
  /** Most addresses in one sweep transaction (1 to `MAX_SWEEP_BATCH_SIZE`: checked at the start of a run). */
  batchSize: number;
  now: () => Date;
  /**
   * The chain's (token, address) pairs a token issuer froze (`frozenKey`, recorded by the freeze watch): never
   * swept while frozen — a frozen address cannot send, and trying would only fail. Absent: none known.
   */
  frozen?: (chainId: number) => Promise<Set<string>>;
  /**
   * The tokens' own blacklists, read for the custody address before each token's sweep: the freeze watch knows the
   * custody it is configured with (CustodianJson), this reads the factory's own, whatever the configuration says.
   */
  blacklist?: TokenBlacklist;
  /** Fault injection for the crash tests (shared/adapters/faults.ts): `after-record`, `after-broadcast`, `before-outcome`. */
  fault?: (step: string) => void;
}

/** What a run did on one chain. */
export interface SweepRunReport {
  chainId: number;
  /** Earlier sweeps: recorded final or failed this run, sent again, still waiting. */
  final: number;
  failed: number;
  rebroadcast: number;
  waiting: number;
  candidates: number;
  /** Candidates found empty and cleared. */
  cleared: number;
  /** Sweeps signed, recorded and broadcast this run, and the addresses in them. */
  submitted: number;
  addresses: number;
  /**
   * Sweeps this run could not sign or send (the node refused: e.g. too little gas). One recorded already stays
   * `submitted` and is sent again next run; the other tokens go on.
   */
  sendFailures: number;
  /**
   * Tokens not swept this run because the token's issuer froze the custody address: USDC would refuse the sweep, and
   * USDT lets a blacklisted address receive, so the money would sit locked in a frozen wallet. It stays in the deposit
   * addresses (ours, not frozen) until custody is unfrozen or replaced (the freeze incident's runbook).
   */
  custodyFrozen: number;
  /** The gas key's balance, in the chain's native units (decimal string). */
  gasBalance: string;
  /** Seconds the oldest sweep still submitted has waited (0: none). */
  oldestSubmittedSeconds: number;
  /** JSON-RPC requests of the run (sweep chain port). */
  requests: number;
}

/**
 * One run of the sweeper on `chain` (which names its `depositFactory`). The gas balance is read and published first
 * and the oldest submitted sweep's age whatever happens after (`finally`): a run that fails (a node error, no gas)
 * still feeds the `SweeperGasLow` and `SweepStalled` alarms.
 */
export async function sweepDeposits(chain: ChainConfig, deps: SweepDepositsDeps): Promise<SweepRunReport> {
  const factory = chain.depositFactory;
  if (!factory) throw new Error(`chain ${chain.chainId} has no depositFactory: nothing to sweep`);
  sweepBatchSize(deps.batchSize); // a batch the store cannot record in one transaction would fail every run
  const startRequests = deps.chain.requests();
  const report: SweepRunReport = {
    chainId: chain.chainId,
    ...{ final: 0, failed: 0, rebroadcast: 0, waiting: 0, candidates: 0, cleared: 0, submitted: 0, addresses: 0 },
    sendFailures: 0,
    custodyFrozen: 0,
    gasBalance: '0',
    oldestSubmittedSeconds: 0,
    requests: 0,
  };
  const submitted = await deps.store.submitted(chain.chainId);
  /** Sweeps still submitted as far as this run knows: those read, less those it records final or failed. */
  const stillSubmitted = new Map(submitted.map((s) => [s.id, s]));
  try {
    const gas = await deps.chain.gasBalance();
    report.gasBalance = formatUnits(gas, chain.nativeCurrency?.decimals ?? 18);
    sweeperGasGauge(chain.chainId, Number(report.gasBalance));
    await runOnChain({ chain, factory, submitted }, deps, report, stillSubmitted);
  } finally {
    report.oldestSubmittedSeconds = oldestAgeSeconds(stillSubmitted.values(), deps.now());
    oldestSubmittedSweepGauge(chain.chainId, report.oldestSubmittedSeconds);
  }
  report.requests = deps.chain.requests() - startRequests;
  return report;
}

/** Settles the submitted sweeps, then sweeps the candidates token by token (one in flight per token). */
async function runOnChain(
  on: { chain: ChainConfig; factory: string; submitted: readonly Sweep[] },
  deps: SweepDepositsDeps,
  report: SweepRunReport,
  stillSubmitted: Map<string, Sweep>,
): Promise<void> {
  const { chain, factory, submitted } = on;
  const tip = await readTip(chain, deps.rpc);
  const inFlight = new Set<string>();
  const failedAddresses = new Set<string>();
  for (const sweep of submitted) {
    const state = await settle(sweep, chain, tip, deps, failedAddresses);
    report[state]++;
    if (state === 'final' || state === 'failed') stillSubmitted.delete(sweep.id);
    else inFlight.add(sweep.token.toLowerCase());
  }
  const frozen = (await deps.frozen?.(chain.chainId)) ?? new Set<string>();
  const candidates = (await due(await deps.store.candidates(chain.chainId), failedAddresses, deps)).filter(
    (c) => !frozen.has(frozenKey(c.token, c.address)),
  );
  report.candidates = candidates.length;
  /** This run's sweeps so far and those recorded before: no two get one nonce (see `nextSweepNonce`). */
  const recorded: Sweep[] = [...submitted];
  for (const [token, ofToken] of groupByToken(candidates)) {
    // A sweep of this token is in flight: its addresses read empty until it is final (or back if it fails).
    if (inFlight.has(token.toLowerCase())) continue;
    if (await custodyFrozen(chain.chainId, token, frozen, deps)) {
      report.custodyFrozen++;
      continue;
    }
    const { cleared, batch } = await pick(token, ofToken, deps);
    report.cleared += cleared;
    if (!batch.length) continue;
    const outcome = await submit({ chain, factory, token, batch, recorded }, deps);
    if (outcome.recorded) {
      stillSubmitted.set(outcome.recorded.id, outcome.recorded);
      recorded.push(outcome.recorded);
    }
    if (outcome.sent) {
      report.submitted++;
      report.addresses += batch.length;
    } else if (outcome.sendFailed) report.sendFailures++;
  }
}

/** Whether the token's issuer froze the factory's custody: as the freeze watch recorded it, or as the token says now. */
async function custodyFrozen(
  chainId: number,
  token: string,
  frozen: Set<string>,
  deps: SweepDepositsDeps,
): Promise<boolean> {
  if (frozen.has(frozenKey(token, deps.custody))) return true;
  if (!(await deps.blacklist?.isBlacklisted(chainId, token, deps.custody))) return false;
  logger.error('the custody address is frozen by its token; nothing of this token is swept', { chainId, token });
  // The freeze alarm (FreezeIncident), every run while it lasts: the watch did not label this address as custody.
  countMetric('FreezeIncidents');
  return true;
}

/** Seconds the oldest of `sweeps` has waited since it was submitted (0: none). */
function oldestAgeSeconds(sweeps: Iterable<Sweep>, now: Date): number {
  let oldest = 0;
  for (const s of sweeps) oldest = Math.max(oldest, Math.round((now.getTime() - Date.parse(s.submittedAt)) / 1000));
  return oldest;
}

/**
 * The candidates to look at now: those whose address just failed in a sweep are deferred (a frozen address would
 * otherwise fail again in every run), and those deferred earlier wait until their time.
 */
async function due(candidates: SweepCandidate[], failedAddresses: Set<string>, deps: SweepDepositsDeps) {
  const now = deps.now();
  const failed = candidates.filter((c) => failedAddresses.has(`${c.token}|${c.address}`.toLowerCase()));
  if (failed.length) {
    const later = new Date(now.getTime() + FAILED_ADDRESS_RETRY_HOURS * 3_600_000).toISOString();
    await deps.store.deferCandidates(failed, later);
  }
  return candidates.filter((c) => !failed.includes(c) && (!c.notBefore || Date.parse(c.notBefore) <= now.getTime()));
}

function groupByToken(candidates: readonly SweepCandidate[]): Map<string, SweepCandidate[]> {
  const groups = new Map<string, SweepCandidate[]>();
  for (const c of candidates) {
    const key = c.token;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

/**
 * Re-reads the candidates' balances on chain (the truth, whatever the records say): empty ones are cleared, those at
 * or above the threshold make the next batch (largest first, at most `batchSize`); the rest wait for more money.
 */
async function pick(token: string, candidates: SweepCandidate[], deps: SweepDepositsDeps) {
  const balances = await deps.chain.tokenBalances(
    token,
    candidates.map((c) => c.address),
  );
  const empty = candidates.filter((_, i) => balances[i] === 0n);
  if (empty.length) {
    // Swept by an earlier sweep, or by anyone else (`sweep` is open to all): nothing left to do there.
    await deps.store.clearCandidates(empty);
    logger.info('empty sweep candidates cleared', { token, addresses: empty.map((c) => c.address) });
  }
  const threshold = deps.threshold(token);
  const batch = candidates
    .map((candidate, i) => ({ candidate, balance: balances[i] ?? 0n }))
    .filter((c) => worthSweeping(c.balance, threshold))
    .sort((a, b) => (a.balance < b.balance ? 1 : a.balance > b.balance ? -1 : 0))
    .slice(0, deps.batchSize)
    .map((c) => c.candidate);
  return { cleared: empty.length, batch };
}

/** What {@link submit} did: the sweep it recorded (if any), and whether it was sent or the node refused it. */
interface Submitted {
  recorded?: Sweep;
  sent: boolean;
  sendFailed: boolean;
}

/**
 * Signs a sweep, records it `submitted`, then broadcasts it. Nothing recorded when a sweep of the token is in flight
 * or signing fails; a refused broadcast leaves it recorded (sent again next run). Neither stops the run.
 */
async function submit(
  what: { chain: ChainConfig; factory: string; token: string; batch: SweepCandidate[]; recorded: readonly Sweep[] },
  deps: SweepDepositsDeps,
): Promise<Submitted> {
  const { chain, factory, token, batch } = what;
  const signing = await tryToSend('sign', { chainId: chain.chainId, token }, async () => {
    const from = what.recorded.length ? await deps.chain.sweeperAddress() : '';
    const nonce = nextSweepNonce(await deps.chain.nonce('pending'), what.recorded, from);
    const salts = batch.map((c) => forwarderSalt(c.invoiceId));
    return deps.chain.signSweep({ factory, salts, token, nonce });
  });
  if (!signing) return { sent: false, sendFailed: true };
  const signed = signing.value;
  const sweep: Sweep = {
    id: sweepId(chain.chainId, signed.txHash),
    chainId: chain.chainId,
    token,
    factory,
    custody: deps.custody,
    from: signed.from,
    nonce: signed.nonce,
    txHash: signed.txHash,
    rawTx: signed.rawTx,
    addresses: batch.map((c) => ({ invoiceId: c.invoiceId, address: c.address })),
    amount: 0n,
    state: 'submitted',
    submittedAt: deps.now().toISOString(),
  };
  if (!(await deps.store.recordSubmitted(sweep))) {
    logger.info('a sweep of this token is in flight already: nothing sent', { chainId: chain.chainId, token });
    return { sent: false, sendFailed: false };
  }
  deps.fault?.('after-record');
  const context = { sweepId: sweep.id, txHash: sweep.txHash, token, nonce: sweep.nonce };
  const sent = await tryToSend('broadcast', context, () => deps.chain.broadcast(signed.rawTx));
  if (!sent) return { recorded: sweep, sent: false, sendFailed: true };
  deps.fault?.('after-broadcast');
  countMetric('SweepsSubmitted');
  logger.info('sweep submitted', { ...context, addresses: batch.length });
  return { recorded: sweep, sent: true, sendFailed: false };
}

/**
 * Runs one signing or sending step; a failure (the node refused: too little gas, a fee too low, the node down) is
 * counted (`SweepSendFailures`), logged and answered undefined (else the step's value), so one sweep's failure stops neither the other tokens
 * nor the run's gauges. A recorded sweep stays `submitted` and its stored bytes are sent again next run.
 */
async function tryToSend<T>(
  step: 'sign' | 'broadcast' | 'rebroadcast',
  context: Record<string, unknown>,
  send: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  try {
    return { value: await send() };
  } catch (error) {
    countMetric('SweepSendFailures');
    logger.error(`sweep ${step} failed`, { ...context, error: String((error as Error)?.message ?? error) });
    return undefined;
  }
}

type Settled = 'final' | 'failed' | 'rebroadcast' | 'waiting';

/** Settles one submitted sweep from the chain: final or failed at finality, sent again, or still waiting. */
async function settle(
  sweep: Sweep,
  chain: ChainConfig,
  tip: ChainTip,
  deps: SweepDepositsDeps,
  failedAddresses: Set<string>,
): Promise<Settled> {
  const receipt = await deps.rpc.getTransactionReceipt(sweep.txHash);
  if (!receipt) return unmined(sweep, chain, tip, deps);
  if (!isFinal(chain, receipt.blockNumber, tip)) return 'waiting';
  const at = deps.now().toISOString();
  const base = { ...sweep, finalAt: at, blockNumber: receipt.blockNumber };
  if (receipt.status !== 1) return recordFailed({ ...base, state: 'failed', failure: 'reverted' }, deps);
  const outcome = sweepOutcome(sweep, receipt.logs);
  const failedOnes = outcome.addresses.filter((a) => a.failedReason !== undefined);
  for (const a of failedOnes) {
    failedAddresses.add(`${sweep.token}|${a.address}`.toLowerCase());
    countMetric('SweepAddressesFailed');
    logger.error('sweep failed for an address (SweepFailed)', { sweepId: sweep.id, ...a, amount: undefined });
  }
  if (outcome.amount === 0n && failedOnes.length) {
    return recordFailed({ ...base, ...outcome, state: 'failed', failure: 'every address failed' }, deps);
  }
  const decimals = findToken(chain, sweep.token)?.decimals;
  if (decimals === undefined) {
    // Without the token's decimals the journal's micro-USD would be wrong (assuming 0 inflates it by 10^decimals):
    // left submitted, so SweepStalled alarms, until the token is configured again.
    logger.error('sweep of a token the chain does not configure: outcome not recorded', {
      sweepId: sweep.id,
      token: sweep.token,
    });
    return 'waiting';
  }
  const final: Sweep = { ...base, ...outcome, state: 'final' };
  const microUsd = outcome.addresses.reduce(
    (sum, a) => sum + tokenUnitsToMicroUsd(a.amount ?? 0n, decimals).microUsd,
    0n,
  );
  const journal =
    microUsd > 0n
      ? sweepFinalEntry({ sweepId: sweep.id, chainId: sweep.chainId, token: sweep.token, microUsd, at })
      : undefined;
  deps.fault?.('before-outcome');
  if (await deps.store.recordOutcome(final, journal)) {
    countMetric('SweepsFinal');
    logger.info('sweep final', { sweepId: sweep.id, amount: outcome.amount.toString(), block: receipt.blockNumber });
  }
  return 'final';
}

async function recordFailed(sweep: Sweep, deps: SweepDepositsDeps): Promise<Settled> {
  if (await deps.store.recordOutcome(sweep)) {
    countMetric('SweepsFailed');
    logger.error('sweep failed', { sweepId: sweep.id, txHash: sweep.txHash, failure: sweep.failure });
  }
  return 'failed';
}

/**
 * A submitted sweep not mined: pending at the node (wait), never sent (a crash between record and broadcast: send
 * the same bytes again), or dropped for good because another transaction used its nonce AT A FINAL BLOCK (failed:
 * its addresses are still candidates and go into a later sweep). A nonce used at a block not yet final can still be
 * undone by a reorg (or our own transaction's receipt be late at a lagging node): wait.
 */
async function unmined(sweep: Sweep, chain: ChainConfig, tip: ChainTip, deps: SweepDepositsDeps): Promise<Settled> {
  if (await deps.chain.knows(sweep.txHash)) return 'waiting';
  if ((await deps.chain.nonce('latest')) <= sweep.nonce) {
    const context = { sweepId: sweep.id, txHash: sweep.txHash, token: sweep.token, nonce: sweep.nonce };
    // Refused (e.g. no gas left): still submitted, tried again next run; SweepStalled and SweeperGasLow see it.
    if (!(await tryToSend('rebroadcast', context, () => deps.chain.broadcast(sweep.rawTx)))) return 'waiting';
    logger.warn('sweep sent again (not known to the node)', context);
    return 'rebroadcast';
  }
  const finalBlock = lastFinalBlock(chain, tip);
  if (finalBlock === undefined || (await deps.chain.nonce(finalBlock)) <= sweep.nonce) return 'waiting';
  // The nonce is used at a final block: mined by now (between our reads), or replaced by another transaction.
  if (await deps.rpc.getTransactionReceipt(sweep.txHash)) return 'waiting';
  const at = deps.now().toISOString();
  return recordFailed({ ...sweep, state: 'failed', finalAt: at, failure: 'nonce used by another transaction' }, deps);
}
