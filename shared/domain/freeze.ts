/**
 * Freeze watch (DESIGN.md, "Compliance controls"): a token issuer's blacklist event naming one of our deposit or
 * custody addresses opens an incident, and while the address stays frozen for that token no sweep is attempted
 * from it (a frozen USDT address cannot send; a frozen USDC address can neither send nor receive).
 */
import type { BlacklistEvent } from './token-blacklist';

/** Which of our addresses the issuer named. */
export type FrozenRole = 'deposit' | 'custody';

/** An incident of the freeze watch: an issuer froze (or unfroze) one of our addresses. */
export interface FreezeIncident {
  /** `freeze:<chainId>:<txHash>:<logIndex>`: the event's identity, so a rescan records it once. */
  id: string;
  kind: 'address-frozen' | 'address-unfrozen';
  chainId: number;
  token: string;
  address: string;
  role: FrozenRole;
  /** The invoice whose deposit address it is (deposit addresses only). */
  invoiceId?: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  at: string;
  detail: string;
}

/** The incident a blacklist event naming our `role` address opens. */
export function freezeIncidentOf(
  chainId: number,
  event: BlacklistEvent,
  ours: { role: FrozenRole; invoiceId?: string },
  at: string,
): FreezeIncident {
  const frozen = event.change === 'added';
  const what = ours.role === 'custody' ? 'custody address' : `deposit address of invoice ${ours.invoiceId}`;
  return {
    id: `freeze:${chainId}:${event.txHash.toLowerCase()}:${event.logIndex}`,
    kind: frozen ? 'address-frozen' : 'address-unfrozen',
    chainId,
    token: event.token,
    address: event.address,
    role: ours.role,
    ...(ours.invoiceId ? { invoiceId: ours.invoiceId } : {}),
    txHash: event.txHash.toLowerCase(),
    logIndex: event.logIndex,
    blockNumber: event.blockNumber,
    blockHash: event.blockHash.toLowerCase(),
    at,
    detail: frozen
      ? `token ${event.token} blacklisted our ${what} ${event.address}: its funds cannot move; sweeps from it are blocked`
      : `token ${event.token} removed our ${what} ${event.address} from its blacklist; sweeps from it resume`,
  };
}

/** The key a frozen (token, address) pair is blocked under, on its chain. */
export function frozenKey(token: string, address: string): string {
  return `${token}|${address}`.toLowerCase();
}
