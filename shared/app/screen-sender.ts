/**
 * Screening a payment's sender before it is credited (docs/compliance.md): against the compliance role's screening
 * lists and the token's own blacklist read on chain. Reconciliation asks {@link SenderScreening.gate} for every new
 * transfer that would credit an invoice; a hit records a hold (journaled as a compliance decision) and the transfer
 * is not credited. A decision on the hold sends the sighting through reconciliation again, where the gate answers
 * `clear` (released) or `rejected` (recorded in suspense).
 *
 * What the lists and the chain say of an address is cached in the container for a short while
 * ({@link SCREENING_CACHE_SECONDS}), so a burst of payments costs one list read and one chain read per sender.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { ChainConfig, TokenConfig } from '../domain/chains';
import type { Invoice } from '../domain/invoices';
import { tokenUnitsToMicroUsd } from '../domain/money';
import { type Hold, holdReasonOf, type ScreeningHit } from '../domain/screening';
import { blacklistStyle } from '../domain/token-blacklist';
import { type TransferObserved, transferId } from '../domain/transfers';
import type { ComplianceLog, HoldStore, ScreeningLists, TokenBlacklist } from '../ports';

/** How long what was learnt of a sender is reused: a list change reaches every container within this. */
export const SCREENING_CACHE_SECONDS = 30;

/** What the gate answers: credit as usual, hold (nothing recorded on the transfer), or record in suspense. */
export type GateAnswer = 'clear' | 'held' | 'rejected';

/** The gate reconciliation calls (shared/app/reconcile-transfer.ts): a port of its own, so tests can stand in. */
export interface SenderGate {
  gate(seen: TransferObserved, invoice: Invoice, token: TokenConfig): Promise<GateAnswer>;
}

export interface ScreeningDeps extends AddressScreeningDeps {
  holds: HoldStore;
  log: ComplianceLog;
}

/** What screening needs to tell what is known of an address: the lists, the token's blacklist, the chains. */
export interface AddressScreeningDeps {
  lists: ScreeningLists;
  blacklist: TokenBlacklist;
  chains: readonly ChainConfig[];
  now: () => Date;
  /** How long an answer is reused (default {@link SCREENING_CACHE_SECONDS}); 0 reads afresh every time. */
  cacheSeconds?: number;
}

/**
 * What the screening lists and a token's own blacklist say of an address, with the container's short cache: asked of
 * a payment's sender before it is credited, and of a refund's destination before money is sent there.
 */
export class AddressScreening {
  private readonly cache = new Map<string, { hits: ScreeningHit[]; until: number }>();

  constructor(private readonly deps: AddressScreeningDeps) {}

  /** The hits on `address` for `token` on `chainId` (none: clear); cached per chain, token and address. */
  async hitsFor(chainId: number, token: TokenConfig, address: string): Promise<ScreeningHit[]> {
    const key = `${chainId}:${token.address}:${address}`.toLowerCase();
    const now = this.deps.now().getTime();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.hits;
    const [lists, frozen] = await Promise.all([this.deps.lists.all(), this.frozenByToken(chainId, token, address)]);
    const wanted = address.toLowerCase();
    const hits: ScreeningHit[] = lists
      .filter((l) => l.addresses.some((a) => a.toLowerCase() === wanted))
      .map((l) => ({ kind: 'list', list: l.name, source: l.source }));
    if (frozen) hits.push({ kind: 'token-blacklist', token: token.address });
    this.cache.set(key, { hits, until: now + (this.deps.cacheSeconds ?? SCREENING_CACHE_SECONDS) * 1000 });
    return hits;
  }

  private async frozenByToken(chainId: number, token: TokenConfig, address: string): Promise<boolean> {
    if (!blacklistStyle({ chainId }, token)) return false;
    return this.deps.blacklist.isBlacklisted(chainId, token.address, address);
  }
}

/** The sender screening of one container: an address screening, and the holds and journal its hits write. */
export class SenderScreening implements SenderGate {
  private readonly addresses: AddressScreening;

  constructor(private readonly deps: ScreeningDeps) {
    this.addresses = new AddressScreening(deps);
  }

  async gate(seen: TransferObserved, invoice: Invoice, token: TokenConfig): Promise<GateAnswer> {
    const id = transferId(seen);
    const hold = await this.deps.holds.get(id);
    if (hold) return hold.state === 'released' ? 'clear' : hold.state;
    const hits = await this.hitsFor(seen.chainId, token, seen.from);
    if (!hits.length) return 'clear';
    // Journaled first (once per transfer, by its id): a crash before the hold is written leaves a redelivery to
    // write it, never a hold without its journal line.
    await this.journal(id, seen, token, hits);
    if (await this.deps.holds.create(this.holdOf(seen, invoice, token, hits))) {
      countMetric('TransfersHeld');
      logger.warn('transfer held by sender screening', { transferId: id, from: seen.from, hits });
    }
    return 'held';
  }

  /** What the lists and the token's blacklist say of `sender` (cached per chain, token and sender). */
  hitsFor(chainId: number, token: TokenConfig, sender: string): Promise<ScreeningHit[]> {
    return this.addresses.hitsFor(chainId, token, sender);
  }

  private holdOf(seen: TransferObserved, invoice: Invoice, token: TokenConfig, hits: ScreeningHit[]): Hold {
    return {
      id: transferId(seen),
      state: 'held',
      holdReason: holdReasonOf(seen.from, hits),
      hits,
      invoiceId: invoice.id,
      ministry: invoice.ministry,
      chainId: seen.chainId,
      token: seen.token,
      from: seen.from,
      to: seen.to,
      amount: seen.amount,
      microUsd: tokenUnitsToMicroUsd(BigInt(seen.amount), token.decimals).microUsd.toString(),
      sighting: seen,
      heldAt: this.deps.now().toISOString(),
    };
  }

  private async journal(id: string, seen: TransferObserved, token: TokenConfig, hits: ScreeningHit[]) {
    await this.deps.log.record({
      id: `hold:${id}`,
      at: this.deps.now().toISOString(),
      actor: { subject: 'stablefee:screening', role: 'service' },
      action: 'hold',
      subject: id,
      reason: holdReasonOf(seen.from, hits),
      amount: seen.amount,
      microUsd: tokenUnitsToMicroUsd(BigInt(seen.amount), token.decimals).microUsd.toString(),
    });
  }
}
