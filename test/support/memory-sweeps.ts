/**
 * In-memory twins of the sweeper's ports: {@link MemorySweepStore} (the SweepStore's conditions: one sweep in flight
 * per chain and token, an outcome recorded once, candidates cleared only while unchanged) and
 * {@link MemorySweepChain}, a node with a `DepositFactory` on top of a {@link MemoryChain}: token balances at
 * forwarder addresses, frozen addresses, a mempool, nonces, and sweeps that emit `Swept`/`SweepFailed` as the
 * contract does. The use-case unit tests run on these, without moto or Hardhat.
 */
import {
  AbiCoder,
  getAddress,
  getCreate2Address,
  hexlify,
  keccak256,
  toBeHex,
  toUtf8Bytes,
  toUtf8String,
  zeroPadValue,
} from 'ethers';
import { forwarderImplementation, forwarderInitCode } from '../../shared/domain/forwarder-address';
import type { JournalEntry } from '../../shared/domain/journal';
import {
  MAX_SWEEP_BATCH_SIZE,
  SWEEP_FAILED_TOPIC,
  SWEPT_TOPIC,
  type Sweep,
  type SweepCandidate,
} from '../../shared/domain/sweeps';
import type { SignedTransaction, SweepChain, SweepStore } from '../../shared/ports';
import type { EmittedLog, MemoryChain } from './memory-chain';

const key = (...parts: (string | number)[]) => parts.join('|').toLowerCase();

export class MemorySweepStore implements SweepStore {
  readonly candidatesByKey = new Map<string, SweepCandidate>();
  readonly sweeps = new Map<string, Sweep>();
  readonly inFlight = new Map<string, string>();
  readonly journal = new Map<string, JournalEntry>();

  /** Marks an address as reconciliation does when a transfer there becomes final. */
  addCandidate(c: SweepCandidate): void {
    this.candidatesByKey.set(key(c.chainId, c.token, c.address), structuredClone(c));
  }

  async candidates(chainId: number) {
    return [...this.candidatesByKey.values()].filter((c) => c.chainId === chainId).map((c) => structuredClone(c));
  }
  async clearCandidates(candidates: readonly SweepCandidate[]) {
    for (const c of candidates) {
      const k = key(c.chainId, c.token, c.address);
      if (this.candidatesByKey.get(k)?.transferId === c.transferId) this.candidatesByKey.delete(k);
    }
  }
  async deferCandidates(candidates: readonly SweepCandidate[], notBefore: string) {
    for (const c of candidates) {
      const stored = this.candidatesByKey.get(key(c.chainId, c.token, c.address));
      if (stored?.transferId === c.transferId) stored.notBefore = notBefore;
    }
  }
  async submitted(chainId: number) {
    return [...this.sweeps.values()]
      .filter((s) => s.chainId === chainId && s.state === 'submitted')
      .map((s) => structuredClone(s));
  }
  async recordSubmitted(sweep: Sweep) {
    // As DynamoDB: the sweep, its lock and its links must fit one transaction.
    if (sweep.addresses.length > MAX_SWEEP_BATCH_SIZE) throw new Error('too many items in one transaction');
    const lock = key(sweep.chainId, sweep.token);
    if (this.inFlight.has(lock) || this.sweeps.has(sweep.id)) return false;
    this.inFlight.set(lock, sweep.id);
    this.sweeps.set(sweep.id, structuredClone(sweep));
    return true;
  }
  async recordOutcome(sweep: Sweep, journal?: JournalEntry) {
    if (this.sweeps.get(sweep.id)?.state !== 'submitted') return false;
    if (journal && this.journal.has(journal.entryId)) return false;
    this.sweeps.set(sweep.id, structuredClone(sweep));
    const lock = key(sweep.chainId, sweep.token);
    if (this.inFlight.get(lock) === sweep.id) this.inFlight.delete(lock);
    if (journal) this.journal.set(journal.entryId, structuredClone(journal));
    return true;
  }
}

interface PendingSweep {
  txHash: string;
  nonce: number;
  factory: string;
  token: string;
  salts: string[];
}

/** A node with a DepositFactory whose custody is `custody`; sweeps mine on `rpc` (mined at once unless `hold`). */
export class MemorySweepChain implements SweepChain {
  /** Token balances by `token|address` (lower case). */
  readonly balances = new Map<string, bigint>();
  /** Addresses the token issuer froze: their sweep emits `SweepFailed`. */
  readonly frozen = new Set<string>();
  readonly mempool = new Map<string, PendingSweep>();
  readonly mined = new Set<string>();
  /** Broadcasts accepted, in order (a rebroadcast of known bytes counts too). */
  readonly broadcasts: string[] = [];
  /** Keep broadcast transactions in the mempool until {@link mineMempool}. */
  hold = false;
  /** The node refuses broadcasts (of `token` only, when named) with this error, e.g. `insufficient funds`. */
  refuse: { reason: string; token?: string } | undefined;
  latestNonce = 0;
  /** The gas key's mined transaction count after each block that changed it (for counts at a block). */
  private readonly nonceHistory: { block: number; nonce: number }[] = [];
  /** The pending count lags (a load-balanced RPC): it counts mined transactions only, not the mempool. */
  pendingLags = false;
  gas = 10n ** 18n;
  private calls = 0;

  constructor(
    readonly rpc: MemoryChain,
    readonly custody: string,
    readonly from = '0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec',
  ) {}

  /** Money arrives at `address`. */
  pay(token: string, address: string, amount: bigint): void {
    const k = key(token, address);
    this.balances.set(k, (this.balances.get(k) ?? 0n) + amount);
  }
  balanceOf(token: string, address: string): bigint {
    return this.balances.get(key(token, address)) ?? 0n;
  }
  /** Another transaction of the gas key takes the next nonce (an operator's, or a replacement). */
  useNonce(): void {
    this.latestNonce++;
    this.nonceHistory.push({ block: this.rpc.mine(), nonce: this.latestNonce });
  }

  async sweeperAddress() {
    return this.from;
  }
  async gasBalance() {
    this.calls++;
    return this.gas;
  }
  async tokenBalances(token: string, addresses: readonly string[]) {
    this.calls++;
    return addresses.map((a) => this.balanceOf(token, a));
  }
  async nonce(tag: 'latest' | 'pending' | number) {
    this.calls++;
    if (typeof tag === 'number') return this.nonceHistory.findLast((h) => h.block <= tag)?.nonce ?? 0;
    return tag === 'latest' || this.pendingLags ? this.latestNonce : this.latestNonce + this.mempool.size;
  }
  async signSweep(request: { factory: string; salts: readonly string[]; token: string; nonce: number }) {
    this.calls += 2; // estimate gas, fee data
    const tx: PendingSweep = { ...request, salts: [...request.salts], txHash: '' };
    const rawTx = hexlify(toUtf8Bytes(JSON.stringify(tx)));
    tx.txHash = keccak256(rawTx);
    return { txHash: tx.txHash, rawTx, nonce: request.nonce, from: this.from } satisfies SignedTransaction;
  }
  async broadcast(rawTx: string) {
    this.calls++;
    const tx = JSON.parse(toUtf8String(rawTx)) as PendingSweep;
    tx.txHash = keccak256(rawTx);
    if (this.refuse && (!this.refuse.token || this.refuse.token.toLowerCase() === tx.token.toLowerCase())) {
      throw new Error(this.refuse.reason);
    }
    this.broadcasts.push(tx.txHash);
    if (this.mined.has(tx.txHash)) return;
    if (tx.nonce < this.latestNonce) throw new Error('nonce too low');
    this.mempool.set(tx.txHash, tx);
    if (!this.hold) this.mineMempool();
  }
  async knows(txHash: string) {
    this.calls++;
    return this.mempool.has(txHash) || this.mined.has(txHash);
  }
  requests() {
    return this.calls;
  }

  /** Mines the mempool's transactions in nonce order (each in its own block). */
  mineMempool(): void {
    for (const tx of [...this.mempool.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (tx.nonce !== this.latestNonce) continue;
      this.mempool.delete(tx.txHash);
      const logs = this.execute(tx);
      const receipt = this.rpc.send(logs);
      this.rpc.addReceipt({ ...receipt, txHash: tx.txHash });
      this.mined.add(tx.txHash);
      this.latestNonce++;
      this.nonceHistory.push({ block: receipt.blockNumber, nonce: this.latestNonce });
    }
  }

  /** What `DepositFactory.sweep(salts, token)` does: each non-empty forwarder to custody, or SweepFailed. */
  private execute(tx: PendingSweep): EmittedLog[] {
    const logs: EmittedLog[] = [];
    const initHash = keccak256(forwarderInitCode(forwarderImplementation(tx.factory)));
    for (const salt of tx.salts) {
      const forwarder = getCreate2Address(tx.factory, salt, initHash);
      const amount = this.balanceOf(tx.token, forwarder);
      if (amount === 0n) continue;
      const topics = [salt, zeroPadValue(forwarder.toLowerCase(), 32), zeroPadValue(tx.token.toLowerCase(), 32)];
      if (this.frozen.has(forwarder.toLowerCase())) {
        const data = AbiCoder.defaultAbiCoder().encode(['bytes'], [toUtf8Bytes('frozen')]);
        logs.push({ address: getAddress(tx.factory), topics: [SWEEP_FAILED_TOPIC, ...topics], data });
        continue;
      }
      this.balances.set(key(tx.token, forwarder), 0n);
      this.pay(tx.token, this.custody, amount);
      logs.push({
        address: getAddress(tx.factory),
        topics: [SWEPT_TOPIC, ...topics],
        data: zeroPadValue(toBeHex(amount), 32),
      });
    }
    return logs;
  }
}
