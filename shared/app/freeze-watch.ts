/**
 * The freeze watch, run by the chain scanner over each block range it scans (docs/compliance.md): it reads the
 * blacklist events of the chain's tokens that have an issuer blacklist (USDT `AddedBlackList`/`RemovedBlackList`,
 * USDC `Blacklisted`/`UnBlacklisted`), and one naming our custody address or a deposit address opens an incident
 * (metric `FreezeIncidents`, alarmed) and blocks sweeps of that token from the address until it is unfrozen.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { ChainConfig } from '../domain/chains';
import { type FrozenRole, freezeIncidentOf } from '../domain/freeze';
import { BLACKLIST_TOPICS, blacklistStyle, decodeBlacklistEvent } from '../domain/token-blacklist';
import type { ChainRpc, FreezeStore, RawLog } from '../ports';

export interface FreezeWatchDeps {
  store: FreezeStore;
  /** The invoice a deposit address was issued for, when it is ours. */
  depositInvoice: (address: string) => Promise<string | undefined>;
  /** The chain's custody address, when one is configured. */
  custody: (chainId: number) => string | undefined;
  now: () => Date;
}

/** What one range's watch found: blacklist events read, and incidents newly recorded. */
export interface FreezeWatchReport {
  events: number;
  incidents: number;
}

/** Reads [from, to]'s blacklist events on `chain` and records those naming our addresses. */
export async function watchFreezes(
  chain: ChainConfig,
  rpc: ChainRpc,
  range: { from: number; to: number },
  deps: FreezeWatchDeps,
): Promise<FreezeWatchReport> {
  const tokens = chain.tokens.filter((t) => blacklistStyle(chain, t)).map((t) => t.address);
  const report: FreezeWatchReport = { events: 0, incidents: 0 };
  if (!tokens.length) return report;
  const at = deps.now().toISOString();
  for (const log of await blacklistLogs(rpc, tokens, range.from, range.to)) {
    const event = log.removed ? undefined : decodeBlacklistEvent(log);
    if (!event) continue;
    report.events++;
    const ours = await whose(chain.chainId, event.address, deps);
    if (!ours) continue;
    const incident = freezeIncidentOf(chain.chainId, event, ours, at);
    if (!(await deps.store.record(incident))) continue;
    report.incidents++;
    if (incident.kind === 'address-frozen') {
      countMetric('FreezeIncidents');
      logger.error('token issuer froze one of our addresses', { ...incident });
    } else {
      logger.warn('token issuer unfroze one of our addresses', { ...incident });
    }
  }
  return report;
}

async function whose(
  chainId: number,
  address: string,
  deps: FreezeWatchDeps,
): Promise<{ role: FrozenRole; invoiceId?: string } | undefined> {
  if (deps.custody(chainId)?.toLowerCase() === address.toLowerCase()) return { role: 'custody' };
  const invoiceId = await deps.depositInvoice(address);
  return invoiceId ? { role: 'deposit', invoiceId } : undefined;
}

/** The tokens' blacklist events over [from, to], halving the range when the node refuses it. */
async function blacklistLogs(rpc: ChainRpc, tokens: string[], from: number, to: number): Promise<RawLog[]> {
  try {
    return await rpc.getLogs({ address: tokens, topics: [BLACKLIST_TOPICS], fromBlock: from, toBlock: to });
  } catch (error) {
    if (from === to) throw error;
    const mid = from + Math.floor((to - from) / 2);
    return [...(await blacklistLogs(rpc, tokens, from, mid)), ...(await blacklistLogs(rpc, tokens, mid + 1, to))];
  }
}
