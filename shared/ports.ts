/**
 * The ports: what the domain and the use cases need from the outside world, as interfaces. Adapters
 * (shared/adapters/) implement them against ethers, AWS KMS, DynamoDB and the rest; tests implement them in memory.
 */

import type { BankEntry, BankStatementUpload } from './domain/bank-statements';
import type { ChainConfig } from './domain/chains';
import type { ExportCheckpoint, ExportJob, ExportJobSpec } from './domain/exports/jobs';
import type { ExportManifest, ManifestFile } from './domain/exports/manifest';
import type { FreezeIncident } from './domain/freeze';
import type { ResolvedRate } from './domain/fx';
import type { InvoiceChanges } from './domain/invoice-change';
import type { Invoice, InvoiceException } from './domain/invoices';
import type { JournalEntry } from './domain/journal';
import type { RegisteredFirm, RegisterSnapshot } from './domain/licence-register';
import type { PayerMailRecord, PayerMailRequest, PayerMailTemplate } from './domain/payer-mail';
import type { Receipt } from './domain/receipts';
import type { InvoiceOutcome, StoredTransfer } from './domain/reconcile';
import type { ChangeState, ReferenceChange, ReferenceKind, ReferenceVersion } from './domain/reference-data';
import type { RefundReceipt, SignedRefundOrder } from './domain/refund-documents';
import type { Refund, RefundLedger, RefundSource, RefundState } from './domain/refunds';
import type { Hold, HoldState, ScreeningList } from './domain/screening';
import type { SettlementReconciliation } from './domain/settlement-reconciliation';
import type { SettlementBatch, SettlementLine } from './domain/settlements';
import type { Sweep, SweepCandidate } from './domain/sweeps';
import type { Incident } from './domain/transfer-change';
import type { TransferObserved, TransferSource } from './domain/transfers';
import type { QueueName } from './resources';

export interface BlockRef {
  number: number;
  hash: string;
}

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
  removed: boolean;
}

export interface ChainRpc {
  blockNumber(): Promise<number>;
  /** A block by number or tag; null when the node has none (beyond the head, or unsupported tag). */
  getBlock(block: number | 'finalized' | 'safe'): Promise<BlockRef | null>;
  getLogs(filter: {
    /** Emitting contracts; omitted or empty: logs of any contract. */
    address?: string[];
    topics: (string | string[] | null)[];
    fromBlock: number;
    toBlock: number;
  }): Promise<RawLog[]>;
  /**
   * The transaction's receipt as the node has it now (status, block, logs), or null when the transaction is not
   * mined on the canonical chain (never sent, dropped, or reorged out).
   */
  getTransactionReceipt(txHash: string): Promise<TxReceipt | null>;
}

/** What our own node says of a mined transaction: all a provider's claim about one of its logs is checked against. */
export interface TxReceipt {
  txHash: string;
  /** 1 success, 0 reverted (a reverted transaction moved no tokens, whatever logs a provider claims). */
  status: number;
  blockNumber: number;
  blockHash: string;
  logs: RawLog[];
}

/** Signs 32-byte digests for one secp256k1 key. */
export interface ReceiptSigner {
  /** The EIP-55 checksummed address of the key (what verifiers compare the recovered address to). */
  address(): Promise<string>;
  /**
   * Signs `digest` (0x + 64 hex) as is, without hashing it again. The signature must recover `address()`: the
   * adapter guarantees it (a key it holds signs correctly by construction; a key it does not hold, KMS, is checked
   * by recovery), so callers do not verify each signature again.
   * @returns 0x + 130 hex: r (32 bytes) || s (32 bytes, low-s per EIP-2) || v (27 or 28).
   */
  signDigest(digest: string): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation: what reconciling a sighting reads, and the one transaction it commits.

/**
 * A write lost a race: something it was conditioned on (a version, a chain head, a record's absence) changed since it
 * was read. Nothing was written; read again and decide again.
 */
export class ConcurrentChangeError extends Error {
  constructor(message = 'changed since read', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConcurrentChangeError';
  }
}

/** The last document of a ministry's receipt chain: its number (0: none yet) and hash. */
export interface ReceiptChainHead {
  lastNo: number;
  lastHash?: string;
}

/**
 * A chain document as stored, as far as reconciliation cares: the document, and whether the publisher has had it
 * (a document never attempted may have lost its outbox message to a crash, and is sent again).
 */
export interface StoredChainDocument {
  receipt: Receipt;
  deliveryState: DeliveryState;
  attempts: number;
}

/**
 * Everything one reconciliation change writes, committed all or nothing, each part conditioned on what was read:
 * the transfer on its version (or on being new), the invoice on its version, the receipt chain on its head number.
 */
export interface ReconcileCommit {
  transfer: StoredTransfer;
  /** The transfer version read; absent: the transfer must not exist yet. */
  expectedTransferVersion?: number;
  incident?: Incident;
  /** The invoice as read (its version is the condition) and the change to it. */
  invoice?: { read: Invoice; outcome: InvoiceOutcome; changes: InvoiceChanges; at: string };
  /** New documents of the invoice's ministry chain, numbered on from the head read (`afterNo`). */
  documents?: { ministry: string; items: readonly Receipt[]; afterNo: number };
  journal?: JournalEntry;
  /** Keep watching a reopened invoice's address until its moved expiry's late window closes. */
  extendWatch?: { address: string; expiresAt: string };
  /** Final money reached a forwarder deposit address: the sweeper's marker for it (written, never conditioned). */
  sweepCandidate?: SweepCandidate;
}

/** The store behind reconciliation (DynamoDB in shared/adapters/dynamo/reconcile-store.ts; in memory in tests). */
/** The keys one sighting's reconciliation reads together; `invoiceId` and `ministry` come from a sighting's hint. */
export interface SightingKeys {
  transferId: string;
  /** The deposit address paid: looked up when no invoice is hinted. */
  address: string;
  invoiceId?: string;
  ministry?: string;
}

/** What {@link ReconcileStore.readSighting} found, each part absent when its item does not exist (or was not read). */
export interface SightingRead {
  transfer?: StoredTransfer;
  /** The hinted invoice. */
  invoice?: Invoice;
  /** The invoice the address was issued for (read only when no invoice was hinted). */
  invoiceIdByAddress?: string;
  /** The hinted ministry's chain head (read only with a hinted ministry). */
  head?: ReceiptChainHead;
}

export interface ReconcileStore {
  /** The transfer, the hinted invoice (else the address's invoice id) and the hinted chain head, in ONE request. */
  readSighting(keys: SightingKeys): Promise<SightingRead>;
  /** {@link readSighting} for many sightings (a queue batch) in one request: the answers in the order of `keys`. */
  readSightings(keys: readonly SightingKeys[]): Promise<SightingRead[]>;
  /** The invoices that exist among `ids`, in one request. */
  getInvoices(ids: readonly string[]): Promise<Invoice[]>;
  /** The invoice a deposit address was issued for, if it is ours. */
  findInvoiceIdByAddress(address: string): Promise<string | undefined>;
  getInvoice(id: string): Promise<Invoice | undefined>;
  receiptChainHead(ministry: string): Promise<ReceiptChainHead>;
  getChainDocument(id: string): Promise<StoredChainDocument | undefined>;
  /** Adds a reporting source to a transfer, touching nothing else (bookkeeping, no version bump). */
  addTransferSource(id: string, source: TransferSource): Promise<void>;
  /** Writes all of `change` or nothing; throws {@link ConcurrentChangeError} when a condition no longer holds. */
  commit(change: ReconcileCommit): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance controls (docs/compliance.md): the licensed-firm register and the journal of compliance decisions.

/** The licensed-firm register's snapshots (DynamoDB in shared/adapters/dynamo/licence-register.ts). */
export interface LicenceRegister {
  /** The current snapshot's entry for `bin`; undefined when it is not listed (or no snapshot was ever uploaded). */
  firm(bin: string): Promise<RegisteredFirm | undefined>;
  /** The current snapshot's header, if any. */
  current(): Promise<RegisterSnapshot | undefined>;
  /**
   * Stores `firms` as a new snapshot under the next version and makes it current; earlier snapshots stay as they
   * were (never overwritten). Answers the stored header.
   */
  store(firms: readonly RegisteredFirm[], header: Omit<RegisterSnapshot, 'version'>): Promise<RegisterSnapshot>;
}

/** Who made a compliance decision: a person (a token's subject and role) or the service itself (screening). */
export interface ComplianceActor {
  subject: string;
  role: string;
}

/** One compliance decision, journaled with who, when and why (exported as compliance.csv). */
export interface ComplianceDecision {
  /** Stable per decision (`register:v3`, `hold:<transferId>`): recording one twice keeps the first. */
  id: string;
  at: string;
  actor: ComplianceActor;
  action: 'register-upload' | 'list-change' | 'hold' | 'release' | 'reject';
  /** What it concerns: the register version, the list name, the transfer id. */
  subject: string;
  reason: string;
  /** Money it concerns (held, released or rejected transfers): token base units and micro-USD. */
  amount?: string;
  microUsd?: string;
}

/** The journal of compliance decisions. */
export interface ComplianceLog {
  /** Records `decision` once (a second record with its id changes nothing). */
  record(decision: ComplianceDecision): Promise<void>;
}

/** The screening lists (DynamoDB in shared/adapters/dynamo/screening.ts). */
export interface ScreeningLists {
  /** Replaces list `list.name` (its version one more than the stored one); answers the stored list. */
  put(list: Omit<ScreeningList, 'version'>): Promise<ScreeningList>;
  /** Every list, as stored now. */
  all(): Promise<ScreeningList[]>;
}

/** A token issuer's own blacklist, read on chain (USDT `isBlackListed`, USDC `isBlacklisted`). */
export interface TokenBlacklist {
  /** Whether `token` on `chainId` has frozen `address`; false for a token whose blacklist we do not read. */
  isBlacklisted(chainId: number, token: string, address: string): Promise<boolean>;
}

/** Held transfers (DynamoDB in shared/adapters/dynamo/holds.ts). */
export interface HoldStore {
  get(id: string): Promise<Hold | undefined>;
  /** Records a new hold; false (nothing written) when the transfer is held already. */
  create(hold: Hold): Promise<boolean>;
  /** Moves a `held` hold to its decision; undefined (nothing written) when it is not `held` any more. */
  decide(
    id: string,
    state: 'released' | 'rejected',
    decision: NonNullable<Hold['decision']>,
  ): Promise<Hold | undefined>;
  /** Holds newest first, in one state or all, page by page. */
  list(query: { state?: HoldState; limit: number; cursor?: string }): Promise<{ items: Hold[]; nextCursor?: string }>;
}

/** The freeze watch's records: incidents, and which (token, address) pairs are frozen (sweeps skip them). */
export interface FreezeStore {
  /**
   * Records `incident` once (by its id) and sets its pair frozen (or unfrozen) when the event is newer than what the
   * pair last recorded; false when the incident was recorded before.
   */
  record(incident: FreezeIncident): Promise<boolean>;
  /** The chain's frozen pairs, as {@link frozenKey} keys. */
  frozen(chainId: number): Promise<Set<string>>;
  /** Incidents newest first, page by page. */
  incidents(query: { limit: number; cursor?: string }): Promise<{ items: FreezeIncident[]; nextCursor?: string }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Sweeps (forwarder deposit addresses to custody).

/** The sweeper's records (DynamoDB in shared/adapters/dynamo/sweeps.ts; in memory in tests). */
export interface SweepStore {
  /** The chain's sweep candidates: addresses final money reached since they were last found empty. */
  candidates(chainId: number): Promise<SweepCandidate[]>;
  /** Clears each candidate while it is the one read (a newer final transfer that re-marked it keeps it). */
  clearCandidates(candidates: readonly SweepCandidate[]): Promise<void>;
  /** Sets each candidate's `notBefore`, while it is the one read (a failed address waits before the next try). */
  deferCandidates(candidates: readonly SweepCandidate[], notBefore: string): Promise<void>;
  /** The chain's sweeps still `submitted`, as stored now. */
  submitted(chainId: number): Promise<Sweep[]>;
  /**
   * Records a signed, not yet broadcast sweep as `submitted` with its invoices' links; false (nothing written) when
   * its chain and token have a sweep in flight already.
   */
  recordSubmitted(sweep: Sweep): Promise<boolean>;
  /** Records a submitted sweep's outcome and its journal entry at once; false when an outcome was recorded already. */
  recordOutcome(sweep: Sweep, journal?: JournalEntry): Promise<boolean>;
}

/** A signed transaction, not yet sent: what the sweep record keeps so a crash before sending is mended. */
export interface SignedTransaction {
  txHash: string;
  rawTx: string;
  nonce: number;
  from: string;
}

/**
 * What the sweeper does on a chain beyond reading it ({@link ChainRpc}): read balances and nonces of its gas key,
 * sign `DepositFactory.sweep` with that key, and send signed bytes. The key only ever pays gas.
 */
export interface SweepChain {
  /** The gas key's address. */
  sweeperAddress(): Promise<string>;
  /** The gas key's native balance (wei). */
  gasBalance(): Promise<bigint>;
  /** `token.balanceOf(address)` for each address, in order, in one batched request. */
  tokenBalances(token: string, addresses: readonly string[]): Promise<bigint[]>;
  /**
   * The gas key's transaction count: mined (`latest`), mined by the end of a given block (a number), or including
   * the node's pending ones (`pending`).
   */
  nonce(tag: 'latest' | 'pending' | number): Promise<number>;
  /**
   * Builds and signs `factory.sweep(salts, token)` with `nonce`: gas limit estimated with headroom, fees from the
   * node. Sends nothing.
   */
  signSweep(request: {
    factory: string;
    salts: readonly string[];
    token: string;
    nonce: number;
  }): Promise<SignedTransaction>;
  /** Sends signed bytes; a node that already has the transaction is not an error. */
  broadcast(rawTx: string): Promise<void>;
  /** Whether the node knows the transaction at all (pending or mined). */
  knows(txHash: string): Promise<boolean>;
  /** JSON-RPC requests made so far (the sweeper reports them per run). */
  requests(): number;
}

// ---------------------------------------------------------------------------------------------------------------
// Webhook providers and address watching.

/** Why an entry of a verified payload did not become a transfer. */
export type DropReason =
  /** The chain (or provider network name) is not one this deployment enables. */
  | 'chain_not_enabled'
  /** A transfer of amount 0: moves no money (address-poisoning dust); counted as `ZeroValueTransfersIgnored`. */
  | 'zero_value'
  /** Native coin, NFT, or another log than an ERC-20 Transfer. */
  | 'not_a_token_transfer'
  /** A payload kind this adapter does not ingest (e.g. an Alchemy MINED_TRANSACTION webhook). */
  | 'unsupported_payload'
  /** Missing or inconsistent fields. */
  | 'malformed';

/** One dropped entry; never carries secrets. */
export interface Drop {
  reason: DropReason;
  chainId?: number;
  token?: string;
  txHash?: string;
  logIndex?: number;
  detail?: string;
}

/** Options of every provider's `parse`. */
export interface ParseOptions {
  /** `observedAt` of the produced messages; defaults to the current time. */
  now?: Date;
  /** Told of every dropped entry (the use case counts and logs them). */
  onDrop?: (drop: Drop) => void;
}

/** The verified body is not JSON, or not the provider's payload shape: the delivery is refused as bad input. */
export class WebhookPayloadError extends Error {}

/** One webhook provider's delivery format (shared/adapters/providers/<name>.ts). */
export interface WebhookProvider {
  /**
   * True when `headers` (lower-case names) carry a valid signature of exactly `raw` under `secret`, and, where the
   * scheme has a timestamp, it is recent relative to `now`. Constant-time comparison.
   */
  verify(raw: Buffer, headers: Record<string, string>, secret: string, now: Date): boolean;
  /**
   * The transfers in a verified body. Throws `WebhookPayloadError` when the body is not JSON or not the provider's
   * payload; entries it cannot use (other tokens, other chains, NFTs…) are reported through `options.onDrop`.
   */
  parse(raw: Buffer, chains: readonly ChainConfig[], options?: ParseOptions): TransferObserved[];
  /**
   * For schemes that sign a nonce: the nonce of a verified delivery and how long it must not be seen again (as long
   * as a signed timestamp stays acceptable). A delivery whose nonce was seen within that window is a replay.
   */
  replay?: { nonce(headers: Record<string, string>): string | undefined; windowSeconds: number };
}

/** Delivery nonces seen recently, shared by every container (shared/adapters/dynamo/nonces.ts). */
export interface NonceStore {
  /** Records `nonce` as seen for `windowSeconds` from `now`: true when it was not seen in that window. */
  claim(provider: string, nonce: string, now: Date, windowSeconds: number): Promise<boolean>;
  /** Forgets a claimed nonce (the delivery was not taken, so the provider's retry must get through). */
  release(provider: string, nonce: string): Promise<void>;
}

/** Registers addresses with one provider. Both calls are idempotent; they throw on any failure. */
export interface AddressWatcher {
  provider: string;
  watch(addresses: string[]): Promise<void>;
  unwatch(addresses: string[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// The chain scanner and the confirmer (shared/app/scan-chain.ts, shared/app/confirm-transfers.ts): where the scan
// stands per chain, which addresses it looks for, and which transfers the confirmer re-checks.

/**
 * Which watched addresses the blocks up to a scan checkpoint were scanned for: every address issued before `at`;
 * and none of the blocks after `block` can hold a payment to an address issued later. The scanner brings its set up
 * to date after reading the head on every run, so `block` is that run's head: a record for operators, not an
 * obligation. Absent on checkpoints written before it existed.
 */
export interface AddressesAsOf {
  at: string;
  block: number;
}

/** The scanner's checkpoint on one chain: the last block scanned and its hash (reorgs show as a changed hash). */
export interface ScanCheckpoint {
  blockNumber: number;
  blockHash: string;
  addressesAsOf?: AddressesAsOf;
  /** Moves by one on every save: two overlapping runs never both advance the checkpoint. */
  version: number;
  updatedAt: string;
}

/** Where the scanner keeps its checkpoint per chain. */
export interface ScanCheckpoints {
  /** The chain's checkpoint, read consistently; undefined before the first run. */
  get(chainId: number): Promise<ScanCheckpoint | undefined>;
  /**
   * Moves the checkpoint on from `previous` (undefined for the first) at `at` (ISO time); false when another run
   * moved it first (its version is no longer `previous.version`), and nothing is written.
   */
  save(
    chainId: number,
    next: { blockNumber: number; blockHash: string; addressesAsOf?: AddressesAsOf },
    previous: ScanCheckpoint | undefined,
    at: string,
  ): Promise<boolean>;
}

/** A watched deposit address (lower-case), when its invoice was issued, and until when it is watched. */
export interface WatchedAddress {
  address: string;
  createdAt?: string;
  watchUntil: string;
  /** When its watch was last written (issued, or extended): what {@link WatchedAddresses.writtenSince} ranges over. */
  writtenAt?: string;
}

/**
 * The deposit addresses the scanner looks for payments to (the same on every chain). An address is watched while
 * `watchUntil > now` (the late window's close; moved forward when an annulment reopens its invoice), and a read costs
 * the addresses still watched, not every address ever issued: an implementation keys the watch by `watchUntil` so
 * expired ones are never read, and by the time of its last write so a reader that keeps the set can read only what
 * changed (see shared/app/watched-address-set.ts).
 */
export interface WatchedAddresses {
  /** Addresses still watched at `now`. The list may lag the issuing of an address a little (eventual consistency). */
  watchedAt(now: Date): Promise<WatchedAddress[]>;
  /**
   * Every watch written (issued or extended) at or after `since`, whatever its `watchUntil`, each as it stands now
   * (its latest write). Costs the writes in that range, not the history. May lag a write a little, as `watchedAt`.
   */
  writtenSince(since: Date): Promise<WatchedAddress[]>;
}

/** The transfers the confirmer re-checks against the chain, per chain, lowest block first (at most a page each). */
export interface TransfersToRecheck {
  /** Transfers still `seen`: checked for finality, or for having left their block. */
  seen(chainId: number): Promise<StoredTransfer[]>;
  /** Final transfers not yet re-checked at the deeper depth (`deepCheckedAt` unset). */
  finalUnsettled(chainId: number): Promise<StoredTransfer[]>;
}
// Invoices: issuing, cancelling, expiring (shared/app/issue-invoice.ts, cancel-invoice.ts, expire-invoices.ts)

/** What an `Idempotency-Key` header claims: the key, and the hash of the request it came with. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

/** What an earlier create under a key left: its request's hash and the invoice it created. */
export interface IdempotencyRecord {
  requestHash: string;
  invoiceId: string;
}

/**
 * The invoices of the store, with the items that change with them (deposit-address item, journal entry, idempotency
 * record). Every change is conditional on the invoice as read (its `version` and state), so a race is refused, never
 * lost: the use case reads again and decides.
 */
export interface InvoiceStore {
  /** An invoice by id (consistent read), or undefined. */
  get(id: string): Promise<Invoice | undefined>;
  /** The next deposit-address index, starting at 0; a value is never handed out twice, even when its request fails. */
  takeDepositIndex(): Promise<number>;
  /** The record an earlier create of `ministry` under `key` left, if it is still kept (a day). */
  idempotencyRecord(ministry: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Writes a new invoice with its deposit-address item, its `issued` journal entry and (with a claim) its
   * idempotency record, all or none.
   * @returns false when the claim's key is taken (a twin request won the race); throws on any other refusal.
   */
  create(invoice: Invoice, idempotency?: IdempotencyClaim): Promise<boolean>;
  /**
   * Moves `invoice` (as read: same version, still open with nothing paid or pending, before its expiry) to
   * `cancelled` with its `cancelled` journal entry, and takes it off the expiry index.
   * @returns false when the invoice changed since it was read.
   */
  cancel(invoice: Invoice, at: Date): Promise<boolean>;
  /**
   * Invoices whose expiry passed before `now` and that wait on no pending payment, oldest expiry first, a page at a
   * time (a page may be empty). Bounded per call: what is left is read on the next run.
   */
  dueForExpiry(now: Date): AsyncIterable<Invoice[]>;
  /**
   * Moves `invoice` (as read: still open or processing, nothing pending, the same amount paid, expiry passed) to
   * `expired` with `exception`, and takes it off the expiry index.
   * @returns false when it changed since it was read (paid meanwhile, or expired by an overlapping run).
   */
  expire(invoice: Invoice, exception: InvoiceException, at: Date): Promise<boolean>;
}

/** A deposit address and the invoice it belongs to. */
export interface WatchedDeposit {
  address: string;
  invoiceId: string;
}

/**
 * Requests to the webhook providers to start or stop reporting transfers to deposit addresses. Queued and applied
 * later; the chain scanner watches every deposit address regardless, so a lost request costs latency only.
 */
export interface AddressWatchRequests {
  watch(deposits: readonly WatchedDeposit[]): Promise<void>;
  unwatch(deposits: readonly WatchedDeposit[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Exchange rates (shared/app/issue-invoice.ts quotes with them, shared/app/refresh-rates.ts stores them)

/** The NBK USD/KZT rate stored for one NBK day. */
export interface StoredRate extends ResolvedRate {
  source: 'NBK';
  /** When the service read it from the feed. */
  fetchedAt: string;
}

/** Stored NBK rates, one per rate day. */
export interface RateStore {
  /**
   * The rate in force on `day` (`YYYY-MM-DD`): that day's, or the latest earlier one within a week (NBK publishes
   * none on some days; the previous one then applies). Undefined when none is that recent.
   */
  usdKztRateFor(day: string): Promise<StoredRate | undefined>;
  /** Stores the rate of `rate.rateDate`; storing a day again overwrites it (with the same value). */
  putUsdKztRate(rate: StoredRate): Promise<void>;
}

/** The National Bank of Kazakhstan's daily rates feed. */
export interface NbkRatesFeed {
  /** The raw XML of `day`'s feed (`YYYY-MM-DD`); throws when the feed cannot be read. */
  ratesXml(day: string): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Receipt delivery to the ministries' registries (shared/app/publish-receipt.ts)

/** Where a chain document (receipt or annulment) stands in its delivery to its ministry's registry. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** A chain document as stored: the signed document, byte-exact, beside its delivery state. */
export interface StoredReceipt {
  receipt: Receipt;
  deliveryState: DeliveryState;
  /** Delivery attempts so far, successful or not. */
  attempts: number;
  lastError?: string;
  deliveredAt?: string;
}

/** What recording a delivery found (see {@link ReceiptDeliveries.markDelivered}). */
export type DeliveryRecord = 'delivered' | 'already-delivered' | 'not-stored' | 'differs';

/** The delivery records of stored chain documents. */
export interface ReceiptDeliveries {
  /** The stored document (consistent read), or undefined. */
  get(receiptId: string): Promise<StoredReceipt | undefined>;
  /**
   * Records the delivery of `document` (the exact bytes sent) in ONE conditional write: the document must be
   * stored, byte for byte the one sent, and not delivered yet. Answers what the store found: `delivered` (recorded
   * now), `already-delivered` (an earlier message delivered it; nothing changes), `not-stored` or `differs`
   * (nothing changes: what was sent is not what the store holds).
   */
  markDelivered(receiptId: string, document: string, at: Date): Promise<DeliveryRecord>;
  /**
   * Records a failed attempt and its error; `final` marks the document `failed` (its message goes to the
   * dead-letter queue). A document already delivered stays delivered, whatever a stale message says.
   */
  recordFailedAttempt(receiptId: string, failure: { error: string; at: Date; final: boolean }): Promise<void>;
}

/** What one delivery attempt to a registry came to. */
export type RegistryDelivery =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; status?: number; error: string }
  /** The ministry has no registry (or no shared secret) configured: nothing was sent. */
  | { outcome: 'not-configured' };

/** The ministries' registries: each receives its ministry's signed documents. */
export interface Registry {
  /**
   * Sends `body` (the stored document's exact bytes) to `ministry`'s registry under the idempotency key
   * `documentId`, signed with the secret shared with that registry at time `at`. Never throws for a failed
   * delivery: that is a `retry` outcome.
   */
  deliver(ministry: string, documentId: string, body: string, at: Date): Promise<RegistryDelivery>;
}

// ---------------------------------------------------------------------------------------------------------------
// Exports (shared/app/request-export.ts, read-export.ts, export.ts)

/** The export jobs of the store. */
export interface ExportJobs {
  /** Records a new job in state `requested`; refuses an id already taken. */
  create(spec: ExportJobSpec, requestedBy: string, at: Date): Promise<ExportJob>;
  /** A job by id (consistent read), or undefined. */
  get(id: string): Promise<ExportJob | undefined>;
  /**
   * Claims the job for `run` until `run.until` and moves it to `running`, counting the attempt; undefined when it is
   * absent, already `done`, or claimed by another run whose claim holds past `run.at` (that run carries on, and its
   * own message comes back if it dies).
   */
  start(id: string, run: ExportRun): Promise<ExportJob | undefined>;
  /**
   * Records segment `checkpoint.segments` and releases the claim, only if `runId` still holds the job and the job
   * has recorded exactly the segments before it (a segment is recorded once); false when not.
   */
  checkpoint(id: string, runId: string, checkpoint: ExportCheckpoint): Promise<boolean>;
  /**
   * Records the files and the signed manifest (the job is `done`, its checkpoint and claim dropped), only if `runId`
   * still holds it; false when not.
   */
  finish(
    id: string,
    result: { files: ManifestFile[]; manifest: ExportManifest },
    at: Date,
    runId: string,
  ): Promise<boolean>;
  /**
   * Records a failed run with its error and releases its claim, keeping the checkpoint (the retry resumes there);
   * never overwrites a `done` job nor one another run holds (without `runId`: one no run holds, a job that could
   * not be queued).
   */
  fail(id: string, error: string, at: Date, runId?: string): Promise<void>;
}

/** One run's claim on an export job: at most one invocation writes a job's segment at a time. */
export interface ExportRun {
  runId: string;
  at: Date;
  /** When the claim lapses: the invocation's deadline, so a claim outlives no run. */
  until: Date;
}

/** Hands export jobs to the export worker. */
export interface ExportQueue {
  /** Resolves once the job's message is accepted; rejects when it was not. */
  enqueue(exportId: string): Promise<void>;
}

/** Time-limited download links to files in the exports bucket. */
export interface DownloadLinks {
  /** A URL that reads the object at `key` for `expiresInSeconds`, with no other credential. */
  urlFor(key: string, expiresInSeconds: number): Promise<string>;
}

/** The records of an export's period, each source read lazily page by page. */
export interface ExportSources {
  invoices(): AsyncIterable<Invoice>;
  transfers(): AsyncIterable<{ transfer: StoredTransfer; confirmations?: number }>;
  receipts(): AsyncIterable<{ receipt: Receipt; invoiceCreatedAt?: string }>;
  journal(): AsyncIterable<JournalEntry>;
  /** Sweeps submitted in the period (none in a ministry's export: a sweep batches many ministries' addresses). */
  sweeps(): AsyncIterable<Sweep>;
  /**
   * Refunds requested or completed in the period (a completed refund meets its `refund-completed` journal entry in
   * the period of its completion). With a ministry: its refunds of invoice overpayments (a refund of a suspense
   * transfer is journaled under no ministry, like the transfer).
   */
  refunds(): AsyncIterable<Refund>;
  /**
   * The settlement facts of the period (settlements.csv, bank.csv, reconciliation.csv and the settlement journal
   * entries); none when absent (a ministry's export: settlement batches many ministries' money).
   */
  settlement?(): Promise<SettlementExport>;
  /** Compliance decisions of the period (none in a ministry's export: the register and lists are service-wide). */
  compliance(): AsyncIterable<ComplianceDecision>;
  /** Per chain id, the block `confirmations` were counted to (known once transfers were read). */
  confirmationsAsOf(): Record<string, number>;
}

/** Where a file's bytes go. `write` resolves when the chunk may be reused (backpressure). */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  /** All bytes written: make the file visible. */
  end(): Promise<void>;
  /** Something failed: drop what was written. */
  abort(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Dead letters (shared/app/replay-dead-letters.ts)

/** A message attribute carried through a replay unchanged. */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

/** A message parked in a dead-letter queue, received (hidden from other readers for a while). */
export interface DeadLetter {
  body: string;
  attributes?: Record<string, MessageAttribute>;
  /**
   * A FIFO queue's letter: it goes back to its queue in the same message group, under a deduplication id of its own
   * (the same for every replay of this letter, so a replay repeated after a crash enqueues it once).
   */
  fifo?: { groupId: string; deduplicationId: string };
  /** The receive's handle: what deleting the message needs. */
  handle: string;
}

/** The dead-letter queue of each of the service's queues. */
export interface DeadLetters {
  /** Receives up to `max` (at most 10) messages of `queue`'s dead-letter queue, without waiting; [] when empty. */
  receive(queue: QueueName, max: number): Promise<DeadLetter[]>;
  /** Sends `letters` back to `queue` itself. @returns those accepted (the rest stay parked). */
  sendToSource(queue: QueueName, letters: readonly DeadLetter[]): Promise<DeadLetter[]>;
  /** Deletes `letters` from `queue`'s dead-letter queue. */
  delete(queue: QueueName, letters: readonly DeadLetter[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Refunds (shared/app/refunds.ts, instruct-refund.ts, complete-refunds.ts)

/** What an `Idempotency-Key` left on a refund request: its request's hash and the refund it created. */
export interface RefundIdempotencyRecord {
  requestHash: string;
  refundId: string;
}

/** What a refund is requested from, read as it is now (the version read is the create's condition). */
export interface RefundSourceReader {
  invoice(id: string): Promise<Invoice | undefined>;
  transfer(id: string): Promise<StoredTransfer | undefined>;
  /** The invoice (id and ministry) a deposit address was issued for, if any. */
  addressOwner(address: string): Promise<{ invoiceId: string; ministry: string } | undefined>;
}

/** A page of refunds, newest first. */
export interface RefundPage {
  items: Refund[];
  nextCursor: string | null;
}

/**
 * The refunds of the store with each source's ledger. The invariants (one open refund per source; what refunds took
 * from a source never more than refundable) hold because every write that touches a ledger is ONE transaction
 * conditioned on the ledger as read (and, for a create, on the source's version as read).
 */
export interface RefundStore {
  /** A refund by id (consistent read), or undefined. */
  get(id: string): Promise<Refund | undefined>;
  /** The ledger of `source` (empty when nothing was ever refunded from it). */
  ledger(source: RefundSource): Promise<RefundLedger>;
  /** The record an earlier request of `scope` (who asked) under `key` left, if still kept (a day). */
  idempotencyRecord(scope: string, key: string): Promise<RefundIdempotencyRecord | undefined>;
  /**
   * Writes a new refund, its source's ledger (`next`) and (with a claim) its idempotency record, all or none, on
   * condition that the ledger and the source are as read.
   * It also takes the refund's transfer shape (`refundOrderShape`: chain, token, destination, amount), held while
   * the refund is open and freed by the write that rejects or completes it.
   * @returns false when the claim's key is taken; throws ConcurrentChangeError when the ledger or source changed,
   * ConflictError (`sameTransferOpenError`) when another open refund holds the same transfer shape.
   */
  create(
    refund: Refund,
    ledger: { read: RefundLedger; next: RefundLedger },
    sourceVersion: number,
    idempotency?: IdempotencyClaim & { scope: string },
  ): Promise<boolean>;
  /**
   * Writes `refund` after a transition on condition that the stored one still has `readVersion` (its version is
   * bumped); with `ledger`, the source's ledger changes in the same transaction, conditioned on the one read.
   * @returns false when the refund or ledger changed since it was read.
   */
  update(refund: Refund, readVersion: number, ledger?: { read: RefundLedger; next: RefundLedger }): Promise<boolean>;
  /**
   * Completes a refund: the refund (conditioned on its version), its ledger, its signed receipt, its journal entry
   * and the claim of the on-chain transfer that completed it (one transfer completes at most one refund), all or
   * none.
   * @returns `transfer-taken` when that transfer already completed another refund, `changed` when the refund or
   * ledger changed since read.
   */
  complete(
    refund: Refund,
    readVersion: number,
    ledger: { read: RefundLedger; next: RefundLedger },
    receipt: RefundReceipt,
    journal: JournalEntry,
  ): Promise<'completed' | 'transfer-taken' | 'changed'>;
  /** A newest-first page: a ministry's own (or all), in one state (or any). */
  list(query: { ministry?: string; state?: RefundState; cursor?: string; limit: number }): Promise<RefundPage>;
  /** The refunds of one source, oldest first. */
  ofSource(source: RefundSource): Promise<Refund[]>;
  /** Refunds waiting for their transfer on chain (`instructed`), oldest first (a bounded page). */
  instructed(): Promise<Refund[]>;
  /** Refunds approved before `before` and not yet instructed, oldest first (a bounded page). */
  approvedBefore(before: Date): Promise<Refund[]>;
  /**
   * Completed refunds, completed before `before`, whose receipt the publisher has not yet seen a message of (one
   * lost to a crash between the completion's commit and the outbox send): they are sent again. A bounded page.
   */
  unsentReceipts(before: Date): Promise<Refund[]>;
}

/** A completed refund's signed receipt as stored: the exact bytes to publish, and whether the registry has it. */
export interface StoredRefundReceipt {
  document: string;
  receipt: RefundReceipt;
  delivered: boolean;
}

/** The delivery records of refund receipts (kept on their refunds). */
export interface RefundReceiptDeliveries {
  get(refundId: string): Promise<StoredRefundReceipt | undefined>;
  /** Records the delivery; false when it was already recorded. */
  markDelivered(refundId: string, at: Date): Promise<boolean>;
  /** Records that the publisher has had a message of this receipt: its retries and DLQ own it from now on. */
  markSeen(refundId: string): Promise<void>;
}

/** Hands approved refunds to the instructing worker. */
export interface RefundQueue {
  /** Resolves once the message is accepted; rejects when it was not. */
  enqueue(refundId: string): Promise<void>;
}

/** What sending a refund order came to. */
export type CustodianDelivery =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; status?: number; error: string }
  /** No custodian (or no shared secret) is configured: nothing was sent. */
  | { outcome: 'not-configured' };

/** The custodian that executes refund orders from custody. */
export interface Custodian {
  /**
   * Sends `order` under the idempotency key of its refund id, HMAC-signed at `at`. Never throws for a failed
   * delivery: that is a `retry` outcome.
   */
  sendOrder(order: SignedRefundOrder, at: Date): Promise<CustodianDelivery>;
  /** The custody account money leaves from on `chainId`, or undefined when none is configured. */
  custodyAccount(chainId: number): string | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Mail to payers (shared/app/notify-payer.ts)

/** One mail, ready to send. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The RFC 5322 Message-ID, the same on every try. */
  messageId: string;
  language: string;
}

/**
 * What the mail service said to one mail: sent (with its id for the message), or refused for this recipient for good.
 * A transient failure, or one of the service's own configuration (an unverified sender), throws.
 */
export type MailSendResult = { result: 'sent'; providerMessageId?: string } | { result: 'rejected'; reason: string };

/** The mail service: SES in the cloud, SMTP locally. */
export interface Mailer {
  /** The domain of the service's Message-IDs (its sender's). */
  readonly messageIdDomain: string;
  send(mail: OutgoingMail): Promise<MailSendResult>;
}

/** What was sent to payers, one record per mail ({@link PayerMailRecord}). */
export interface PayerMailLog {
  /**
   * Claims mail `mail` of the invoice for one sender until `leaseUntil`: true when it was never claimed, or its claim
   * ran out before `now` without an outcome; false when it is claimed or done.
   */
  claim(invoiceId: string, mail: string, template: PayerMailTemplate, now: Date, leaseUntil: Date): Promise<boolean>;
  /** Records the outcome of a claimed mail. */
  complete(record: PayerMailRecord): Promise<void>;
  /** Gives up a claim without an outcome (the send failed; a retry claims it again). */
  release(invoiceId: string, mail: string): Promise<void>;
  /** The invoice's mail records, for its detail. */
  forInvoice(invoiceId: string): Promise<PayerMailRecord[]>;
}

/** Hands a payer mail to the outbox; resolves once the queue accepted it. */
export type PayerMailQueue = (request: PayerMailRequest) => Promise<void>;

// ---------------------------------------------------------------------------------------------------------------
// Health (shared/app/health.ts)

/** One dependency check: resolves with facts worth showing (a queue's depth, a chain's head), rejects on failure. */
export type HealthProbe = () => Promise<Record<string, unknown> | undefined>;

// ---------------------------------------------------------------------------------------------------------------
// Settlement (shared/app/settlements.ts, shared/app/settlement-reconciliation.ts)

/** Settlement reports and bank statements as uploaded: each stored once, never changed. */
export interface SettlementStore {
  batch(batchId: string): Promise<SettlementBatch | undefined>;
  /**
   * Stores a batch and its lines, all or nothing as readers see it (the lines are visible only once the batch item
   * exists); false when a batch of that id is already stored (by another upload).
   */
  saveBatch(batch: SettlementBatch, lines: readonly SettlementLine[]): Promise<boolean>;
  /** The stored lines whose value date is in [from, to] (`YYYY-MM-DD`, inclusive). */
  linesBetween(from: string, to: string): Promise<SettlementLine[]>;
  statement(messageId: string): Promise<BankStatementUpload | undefined>;
  /** Like `saveBatch`, for a bank statement document and its entries. */
  saveStatement(upload: BankStatementUpload, entries: readonly BankEntry[]): Promise<boolean>;
  /** The stored bank entries whose value date is in [from, to]. */
  entriesBetween(from: string, to: string): Promise<BankEntry[]>;
}

/** The settlement facts of an export's period. */
export interface SettlementExport {
  lines: { line: SettlementLine; batchSha256: string }[];
  entries: BankEntry[];
  reconciliation: SettlementReconciliation;
}

/** Keeps uploaded documents exactly as received (the uploads bucket). */
export interface UploadArchive {
  /** Stores `bytes` at `key`; the same key always receives the same bytes (keys carry the content's SHA-256). */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
}

/** What a chain says of a block's time, for turning a period of days into a block range. */
export interface BlockClock {
  /** The block's timestamp, Unix seconds. */
  timestamp(block: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// Reference data (shared/app/reference-data.ts): fees, MRP per year, registries; versioned, four eyes.

/** Reads the versions of reference data (pricing reads only this). */
export interface ReferenceReader {
  /** Every version of `kind` (of one `subject` when given), in no particular order. */
  versions(kind: ReferenceKind, subject?: string): Promise<ReferenceVersion[]>;
}

/**
 * Proposed changes and the versions approved ones became. Nothing is overwritten: a proposal and a version are each
 * written once; a change's state moves once, from `proposed`, conditioned on the record as read.
 */
export interface ReferenceDataStore extends ReferenceReader {
  /** Stores a new proposal (its id is new). */
  propose(change: ReferenceChange): Promise<void>;
  /** The change with `id`, read consistently. */
  change(id: string): Promise<ReferenceChange | undefined>;
  /** Changes, newest first, optionally in one state and of one kind. */
  changes(filter: { state?: ChangeState; kind?: ReferenceKind }): Promise<ReferenceChange[]>;
  /**
   * Commits a decision in one transaction: the change as decided (conditioned on the version it was read at,
   * `change.version - 1`) and, for an approval, its version (conditioned on being new).
   * @throws ConcurrentChangeError when the change moved meanwhile.
   */
  decide(change: ReferenceChange, version?: ReferenceVersion): Promise<void>;
  /** Writes a seed version unless one with its id is stored; true when written. */
  seed(version: ReferenceVersion): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------------------
// The write-once archive (shared/app/archive-document.ts, archive-journal.ts; docs/operations.md, "Backups and archive")

/** What writing an object once came to. */
export type ArchiveWrite =
  /** Written now. */
  | 'written'
  /** The key already held exactly these bytes (a retry): nothing was written. */
  | 'already-archived'
  /** The key holds other bytes: nothing was written, nothing overwritten; someone must look. */
  | 'different-body';

/** A write-once store (the `archive` bucket, S3 Object Lock in compliance mode): a key's bytes never change. */
export interface WriteOnceArchive {
  /** Stores `bytes` at `key` unless the key exists; then compares what it holds (never overwrites). */
  putOnce(key: string, bytes: Uint8Array, contentType: string): Promise<ArchiveWrite>;
}

/** What the journal archiver reads and where it keeps its progress. */
export interface JournalArchiveStore {
  /** The journal entries whose `at` is in `[from, to)` (ISO instants), in any order. */
  entriesBetween(from: string, to: string): AsyncIterable<JournalEntry>;
  /** The last Kazakhstan day (`YYYY-MM-DD`) whose journal is archived, or undefined before the first. */
  lastArchivedDay(): Promise<string | undefined>;
  /** Moves the checkpoint from `previous` to `day`; false when it no longer reads `previous` (another run moved it). */
  markArchived(day: string, previous: string | undefined, at: Date): Promise<boolean>;
}
