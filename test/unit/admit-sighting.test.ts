/** The gate in front of reconciliation, against an in-memory node (the ChainRpc port's receipt read). */
import { zeroPadValue } from 'ethers';
import { describe, expect, it } from 'vitest';
import { admitSighting } from '../../shared/app/admit-sighting';
import { ERC20_TRANSFER_TOPIC, type TransferObserved } from '../../shared/domain/transfers';
import type { TxReceipt } from '../../shared/ports';
import { MemoryChain } from '../support/memory-chain';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const FROM = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TO = '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c';
const TX = `0x${'1'.repeat(64)}`;
const BLOCK = `0x${'b'.repeat(64)}`;

const hint: TransferObserved = {
  chainId: 31337,
  token: TOKEN,
  txHash: TX,
  logIndex: 0,
  blockNumber: 7,
  blockHash: BLOCK,
  from: FROM,
  to: TO,
  amount: '500000000',
  removed: false,
  source: 'quicknode',
  observedAt: '2026-12-01T10:00:00.000Z',
  final: true,
  deep: true,
};

const mined: TxReceipt = {
  txHash: TX,
  status: 1,
  blockNumber: 7,
  blockHash: BLOCK,
  logs: [
    {
      address: TOKEN.toLowerCase(),
      topics: [ERC20_TRANSFER_TOPIC, zeroPadValue(FROM, 32), zeroPadValue(TO, 32)],
      data: zeroPadValue('0x1dcd6500', 32),
      blockNumber: 7,
      blockHash: BLOCK,
      transactionHash: TX,
      logIndex: 0,
      removed: false,
    },
  ],
};

/** An in-memory node with these receipts, and the gate's dependencies on it (it records what it was asked). */
function node(receipts: Record<string, TxReceipt>) {
  const chain = new MemoryChain();
  for (const receipt of Object.values(receipts)) chain.addReceipt(receipt);
  return {
    asked: chain.asked.receipts,
    deps: (mayRetry = false) => ({
      chainEnabled: (chainId: number) => chainId === 31337,
      receiptOf: (_chainId: number, txHash: string) => chain.getTransactionReceipt(txHash),
      mayRetry,
    }),
  };
}

describe('admitSighting', () => {
  it('admits a hint the node confirms, without the finality claims a provider may not make', async () => {
    const n = node({ [TX]: mined });
    const admission = await admitSighting(hint, n.deps());
    expect(admission).toEqual({ admit: expect.not.objectContaining({ final: true }) });
    expect('admit' in admission && admission.admit.deep).toBeUndefined();
    expect(n.asked).toEqual([TX]);
  });

  it('rejects what the node contradicts, retries what it may not have yet, and never reads for a chain it does not read', async () => {
    const n = node({ [TX]: mined });
    expect(await admitSighting({ ...hint, amount: '1' }, n.deps())).toEqual({ rejected: 'amount_mismatch' });
    expect(await admitSighting({ ...hint, txHash: `0x${'2'.repeat(64)}` }, n.deps(true))).toEqual({
      retry: 'tx_not_found',
    });
    expect(await admitSighting({ ...hint, txHash: `0x${'2'.repeat(64)}` }, n.deps(false))).toEqual({
      rejected: 'tx_not_found',
    });
    const before = n.asked.length;
    expect(await admitSighting({ ...hint, chainId: 1 }, n.deps())).toEqual({ rejected: 'chain_not_enabled' });
    expect(n.asked.length).toBe(before);
  });

  it('passes our own readers through without a read', async () => {
    const n = node({});
    const own = { ...hint, source: 'scanner' as const };
    expect(await admitSighting(own, n.deps())).toEqual({ admit: own });
    expect(n.asked).toEqual([]);
  });
});
