/**
 * What the reconciliation use-case tests share: one local chain with a 6-decimal token, an invoice as issued, a
 * sighting of a payment to it, and dependencies wired to the in-memory store, a local signing key and recorders.
 */
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import type { ReceiptIssued, ReconcileDeps } from '../../shared/app/reconcile-transfer';
import { localChain } from '../../shared/domain/chains';
import type { Invoice } from '../../shared/domain/invoices';
import type { TransferObserved } from '../../shared/domain/transfers';
import { anInvoice } from './invoices';
import { MemoryReconcileStore } from './memory-reconcile-store';

export const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const DEPOSIT = '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c';
export const CHAIN = localChain([{ address: TOKEN, symbol: 'USDT', decimals: 6 }]);
/** Hardhat's well-known account #0 key: a test key, never money. */
const TEST_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** An open invoice of 500 USD (6-decimal units: 500 000 000), issued at 10:00, expiring at 11:00. */
export function openInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return anInvoice({
    id: 'inv_AAAAAAAAAAAAAAAAAAAAAA',
    feeTitle: { kk: 'Алым', ru: 'Сбор', en: 'Supervision fee' },
    fee: { currency: 'USD', minor: 50_000n },
    dueMicroUsd: 500_000_000n,
    depositAddress: DEPOSIT,
    depositIndex: 1,
    createdAt: '2026-12-01T10:00:00.000Z',
    expiresAt: '2026-12-01T11:00:00.000Z',
    tokenUnits: {},
    ...overrides,
  });
}

let tx = 0;

/** A sighting of a payment of `amount` base units to the deposit address (a new transaction each call). */
export function payment(amount: bigint, overrides: Partial<TransferObserved> = {}): TransferObserved {
  tx++;
  return {
    chainId: CHAIN.chainId,
    token: TOKEN,
    txHash: `0x${tx.toString(16).padStart(64, '0')}`,
    logIndex: 0,
    blockNumber: 100,
    blockHash: `0x${'b'.repeat(64)}`,
    from: PAYER,
    to: DEPOSIT,
    amount: amount.toString(),
    removed: false,
    source: 'scanner',
    observedAt: '2026-12-01T10:05:00.000Z',
    ...overrides,
  };
}

/** The same transfer reported again with other facts (final, removed, moved, deep). */
export function again(seen: TransferObserved, overrides: Partial<TransferObserved>): TransferObserved {
  return { ...seen, source: 'confirmer', ...overrides };
}

/** Dependencies on the in-memory store, recording outbox messages and watch requests. */
export function reconcileDeps(store = new MemoryReconcileStore(), at = '2026-12-01T10:10:00.000Z') {
  const outbox: ReceiptIssued[] = [];
  const unwatched: string[] = [];
  const watched: string[] = [];
  const signer = new LocalKeySigner(TEST_KEY);
  const deps: ReconcileDeps = {
    store,
    chains: [CHAIN],
    signer,
    now: () => new Date(at),
    enqueueReceipt: async (m) => {
      outbox.push(m);
    },
    unwatchAddress: async (address) => {
      unwatched.push(address);
    },
    watchAddress: async (address) => {
      watched.push(address);
    },
    sleep: async () => {},
  };
  return { store, deps, outbox, unwatched, watched, signer };
}
