/**
 * "Only money the service has read from the chain counts" (DESIGN.md, Trust). A provider's sighting is a hint: it
 * is checked against the transaction receipt our own node returns before anything is recorded. The check is pure;
 * reading the receipt is the caller's (one `eth_getTransactionReceipt` per transaction, however many logs it has).
 */
import { getAddress } from 'ethers';
import type { TxReceipt } from '../ports';
import { decodeTransferLog, type TransferObserved, type TransferSource } from './transfers';

/** Why a hint was rejected: each names the first thing the chain contradicts. */
export type RejectReason =
  /** No such transaction is mined on the canonical chain. */
  | 'tx_not_found'
  /** The transaction reverted (status 0): it moved nothing. */
  | 'tx_failed'
  /** The transaction is mined in another block than the hint says. */
  | 'block_mismatch'
  /** The transaction has no log at the reported `logIndex`. */
  | 'log_not_found'
  /** The log is not an ERC-20 `Transfer` of the reported token contract. */
  | 'not_a_transfer'
  | 'token_mismatch'
  | 'from_mismatch'
  | 'to_mismatch'
  | 'amount_mismatch'
  /** A removal notice for a transaction still mined in that very block. */
  | 'still_on_chain'
  /** A chain we do not read: nothing to check the hint against. */
  | 'chain_not_enabled';

export type SightingVerdict = { ok: true } | { ok: false; reason: RejectReason; detail: string };

/** Sources whose sightings come from our own RPC reads in the same run; everything else is a hint. */
const OWN_READERS: readonly TransferSource[] = ['scanner', 'confirmer'];

/** Whether a sighting must be checked against our own node before it is reconciled. */
export function needsVerification(seen: Pick<TransferObserved, 'source'>): boolean {
  return !OWN_READERS.includes(seen.source);
}

const reject = (reason: RejectReason, detail: string): SightingVerdict => ({ ok: false, reason, detail });

/**
 * Checks a sighting against the transaction receipt our node returned for its `txHash` (null: not mined).
 * - An "added" sighting holds when the transaction succeeded, sits in the reported block, and its log at
 *   `logIndex` is a `Transfer` of the reported token, from the reported sender, to the reported recipient, of the
 *   reported amount.
 * - A removal holds when the transaction is not in the reported block (gone, or mined elsewhere): the chain decides.
 */
export function checkSighting(seen: TransferObserved, receipt: TxReceipt | null): SightingVerdict {
  const inReportedBlock = receipt !== null && receipt.blockHash === seen.blockHash.toLowerCase();
  if (seen.removed) {
    return inReportedBlock
      ? reject('still_on_chain', `transaction is still mined in block ${receipt.blockNumber}`)
      : { ok: true };
  }
  if (!receipt) return reject('tx_not_found', 'our node has no receipt for this transaction');
  if (receipt.status !== 1) return reject('tx_failed', `transaction status is ${receipt.status}`);
  if (!inReportedBlock || receipt.blockNumber !== seen.blockNumber) {
    return reject('block_mismatch', `transaction is in block ${receipt.blockNumber} ${receipt.blockHash}`);
  }
  const log = receipt.logs.find((l) => l.logIndex === seen.logIndex);
  if (!log) return reject('log_not_found', `no log at index ${seen.logIndex}`);
  const decoded = decodeTransferLog(log);
  if (!decoded) return reject('not_a_transfer', 'the log is not an ERC-20 Transfer');
  if (getAddress(log.address) !== getAddress(seen.token)) return reject('token_mismatch', `emitted by ${log.address}`);
  if (getAddress(decoded.from) !== getAddress(seen.from)) return reject('from_mismatch', `sender is ${decoded.from}`);
  if (getAddress(decoded.to) !== getAddress(seen.to)) return reject('to_mismatch', `recipient is ${decoded.to}`);
  if (decoded.amount !== BigInt(seen.amount)) return reject('amount_mismatch', `amount is ${decoded.amount}`);
  return { ok: true };
}
