/**
 * The freeze watch against an in-memory node and store: both issuers' blacklist events are read over the scanned
 * range (Tether's address in the data, Circle's in a topic); one naming a deposit or custody address opens one
 * incident (a rescan records nothing twice) and blocks sweeps of that token from it until an unfreeze; events
 * naming strangers, or from tokens without an issuer blacklist, are ignored. The sweeper then attempts nothing from
 * a frozen address.
 */
import { getAddress, id, zeroPadValue } from 'ethers';
import { describe, expect, it, vi } from 'vitest';
import { watchFreezes } from '../../shared/app/freeze-watch';
import { scanChain } from '../../shared/app/scan-chain';
import { sweepDeposits } from '../../shared/app/sweep-deposits';
import { localChain, token } from '../../shared/domain/chains';
import { forwarderAddress } from '../../shared/domain/forwarder-address';
import { frozenKey } from '../../shared/domain/freeze';
import { decodeBlacklistEvent } from '../../shared/domain/token-blacklist';
import { type EmittedLog, MemoryChain } from '../support/memory-chain';
import { MemoryFreezeStore, MemoryTokenBlacklist } from '../support/memory-compliance';
import { MemoryScanCheckpoints, MemoryWatchedAddresses } from '../support/memory-scan-stores';
import { MemorySweepChain, MemorySweepStore } from '../support/memory-sweeps';

const published = vi.hoisted(() => ({ counts: [] as string[] }));
vi.mock('../../shared/adapters/metrics', () => ({
  countMetric: (name: string) => published.counts.push(name),
  sweeperGasGauge: () => {},
  oldestSubmittedSweepGauge: () => {},
}));

const USDT = getAddress('0x5fbdb2315678afecb367f032d93f642f64180aa3');
const USDC = getAddress('0xe7f1725e7734ce288f8367e1bb143e90bb3f0512');
const FACTORY = '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853';
const CUSTODY = '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199';
const STRANGER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906');
const DEPOSIT = forwarderAddress({ factory: FACTORY }, 'inv_frozen');
const chainConfig = {
  ...localChain([token(USDT, 'USDT', 6), token(USDC, 'USDC', 6)], 3),
  depositFactory: FACTORY,
};

const word = (address: string) => zeroPadValue(address.toLowerCase(), 32);
/** Tether's event: the address NOT indexed, in the data. */
const usdtEvent = (name: 'AddedBlackList' | 'RemovedBlackList', address: string): EmittedLog => ({
  address: USDT.toLowerCase(),
  topics: [id(`${name}(address)`)],
  data: word(address),
});
/** Circle's event: the address indexed, in topic 1. */
const usdcEvent = (name: 'Blacklisted' | 'UnBlacklisted', address: string): EmittedLog => ({
  address: USDC.toLowerCase(),
  topics: [id(`${name}(address)`), word(address)],
  data: '0x',
});

function setup() {
  const chain = new MemoryChain(5);
  const store = new MemoryFreezeStore();
  const deps = {
    store,
    depositInvoice: async (address: string) => (address === DEPOSIT ? 'inv_frozen' : undefined),
    custody: () => CUSTODY,
    now: () => new Date('2026-12-01T12:00:00.000Z'),
  };
  return { chain, store, deps };
}

describe('decodeBlacklistEvent', () => {
  it('reads both styles and nothing else', () => {
    const at = {
      blockNumber: 1,
      blockHash: `0x${'a'.repeat(64)}`,
      transactionHash: `0x${'b'.repeat(64)}`,
      logIndex: 0,
    };
    expect(decodeBlacklistEvent({ ...usdtEvent('AddedBlackList', DEPOSIT), ...at })).toMatchObject({
      address: DEPOSIT,
      change: 'added',
      token: USDT,
    });
    expect(decodeBlacklistEvent({ ...usdcEvent('UnBlacklisted', DEPOSIT), ...at })).toMatchObject({
      address: DEPOSIT,
      change: 'removed',
      token: USDC,
    });
    expect(decodeBlacklistEvent({ ...usdtEvent('AddedBlackList', DEPOSIT), data: '0x', ...at })).toBeUndefined();
    expect(
      decodeBlacklistEvent({ address: USDT, topics: [id('Transfer(address,address,uint256)')], data: '0x', ...at }),
    ).toBeUndefined();
  });
});

describe('watchFreezes', () => {
  it('opens one incident per event naming a deposit or custody address, and keeps the frozen pairs', async () => {
    const { chain, store, deps } = setup();
    chain.send([usdtEvent('AddedBlackList', DEPOSIT)]);
    chain.send([usdcEvent('Blacklisted', CUSTODY)]);
    chain.send([usdtEvent('AddedBlackList', STRANGER)]);
    published.counts.length = 0;
    const report = await watchFreezes(chainConfig, chain, { from: 0, to: chain.head }, deps);
    expect(report).toEqual({ events: 3, incidents: 2 });
    const incidents = [...store.incidentsById.values()];
    expect(incidents.map((i) => [i.kind, i.role, i.address, i.token, i.invoiceId])).toEqual([
      ['address-frozen', 'deposit', DEPOSIT, USDT, 'inv_frozen'],
      ['address-frozen', 'custody', getAddress(CUSTODY), USDC, undefined],
    ]);
    expect(published.counts).toEqual(['FreezeIncidents', 'FreezeIncidents']);
    expect(await store.frozen(31337)).toEqual(new Set([frozenKey(USDT, DEPOSIT), frozenKey(USDC, CUSTODY)]));
    // Read again (a rewound scan): nothing recorded twice.
    expect(await watchFreezes(chainConfig, chain, { from: 0, to: chain.head }, deps)).toEqual({
      events: 3,
      incidents: 0,
    });
  });

  it('an unfreeze lifts the block; a stale rescan of the freeze does not bring it back', async () => {
    const { chain, store, deps } = setup();
    chain.send([usdtEvent('AddedBlackList', DEPOSIT)]);
    chain.send([usdtEvent('RemovedBlackList', DEPOSIT)]);
    await watchFreezes(chainConfig, chain, { from: 0, to: chain.head }, deps);
    expect([...store.incidentsById.values()].map((i) => i.kind)).toEqual(['address-frozen', 'address-unfrozen']);
    expect(await store.frozen(31337)).toEqual(new Set());
    await watchFreezes(chainConfig, chain, { from: 0, to: chain.head - 1 }, deps);
    expect(await store.frozen(31337)).toEqual(new Set());
  });

  it('runs inside the scanner over the range it scans, in the same run', async () => {
    const { chain, store, deps } = setup();
    chain.send([usdtEvent('AddedBlackList', DEPOSIT)]);
    const report = await scanChain(chainConfig, {
      rpc: chain,
      checkpoints: new MemoryScanCheckpoints(),
      watchedAddresses: new MemoryWatchedAddresses(),
      now: () => new Date('2026-12-01T12:00:00.000Z'),
      send: async () => {},
      initialLookback: chain.head,
      freezeWatch: deps,
    });
    expect(report.freezeIncidents).toBe(1);
    expect(store.incidentsById.size).toBe(1);
  });

  it('reads nothing on a chain whose tokens have no issuer blacklist', async () => {
    const { chain, deps } = setup();
    const mainnetLike = { ...chainConfig, chainId: 56, tokens: [token(USDT, 'USDT', 18)] };
    expect(await watchFreezes(mainnetLike, chain, { from: 0, to: chain.head }, deps)).toEqual({
      events: 0,
      incidents: 0,
    });
    expect(chain.asked.getLogs).toHaveLength(0);
  });
});

describe('the sweeper and frozen addresses', () => {
  it('attempts no sweep from a frozen (token, address), and sweeps the others and other tokens', async () => {
    const rpc = new MemoryChain(10);
    const node = new MemorySweepChain(rpc, CUSTODY);
    const store = new MemorySweepStore();
    const freeze = new MemoryFreezeStore();
    const fine = forwarderAddress({ factory: FACTORY }, 'inv_fine');
    for (const [invoiceId, address, tokenAddress] of [
      ['inv_frozen', DEPOSIT, USDT],
      ['inv_fine', fine, USDT],
      ['inv_frozen', DEPOSIT, USDC],
    ] as const) {
      node.pay(tokenAddress, address, 5_000_000n);
      store.addCandidate({
        chainId: 31337,
        token: tokenAddress,
        address,
        invoiceId,
        transferId: `t-${invoiceId}`,
        at: '',
      });
    }
    rpc.send([usdtEvent('AddedBlackList', DEPOSIT)]);
    await watchFreezes(chainConfig, rpc, { from: 0, to: rpc.head }, { ...setup().deps, store: freeze });
    const report = await sweepDeposits(chainConfig, {
      rpc,
      chain: node,
      store,
      custody: CUSTODY,
      threshold: () => 1n,
      batchSize: 50,
      now: () => new Date('2026-12-01T12:00:00.000Z'),
      frozen: (chainId) => freeze.frozen(chainId),
    });
    expect(report).toMatchObject({ candidates: 2, addresses: 2 });
    const swept = node.broadcasts.length;
    expect(swept).toBe(2);
    expect(node.balanceOf(USDT, DEPOSIT)).toBe(5_000_000n);
    expect(node.balanceOf(USDC, DEPOSIT)).toBe(0n);
    expect(node.balanceOf(USDT, fine)).toBe(0n);
  });

  it('sweeps no token into a custody address its issuer froze; the other tokens go on', async () => {
    const rpc = new MemoryChain(10);
    const node = new MemorySweepChain(rpc, CUSTODY);
    const store = new MemorySweepStore();
    const freeze = new MemoryFreezeStore();
    for (const tokenAddress of [USDT, USDC]) {
      node.pay(tokenAddress, DEPOSIT, 5_000_000n);
      store.addCandidate({
        chainId: 31337,
        token: tokenAddress,
        address: DEPOSIT,
        invoiceId: 'inv_frozen',
        transferId: `t-${tokenAddress}`,
        at: '',
      });
    }
    // Tether freezes our custody: USDT would still arrive there (Tether checks only the sender) and be locked.
    rpc.send([usdtEvent('AddedBlackList', CUSTODY)]);
    await watchFreezes(chainConfig, rpc, { from: 0, to: rpc.head }, { ...setup().deps, store: freeze });
    const report = await sweepDeposits(chainConfig, {
      rpc,
      chain: node,
      store,
      custody: CUSTODY,
      threshold: () => 1n,
      batchSize: 50,
      now: () => new Date('2026-12-01T12:00:00.000Z'),
      frozen: (chainId) => freeze.frozen(chainId),
    });
    expect(report).toMatchObject({ custodyFrozen: 1, submitted: 1 });
    expect(node.balanceOf(USDT, DEPOSIT)).toBe(5_000_000n);
    expect(node.balanceOf(USDC, DEPOSIT)).toBe(0n);
  });

  it("reads the factory's custody in the token's own blacklist: a freeze the watch did not label still stops the sweep", async () => {
    const rpc = new MemoryChain(10);
    const node = new MemorySweepChain(rpc, CUSTODY);
    const store = new MemorySweepStore();
    node.pay(USDT, DEPOSIT, 5_000_000n);
    store.addCandidate({
      chainId: 31337,
      token: USDT,
      address: DEPOSIT,
      invoiceId: 'inv_frozen',
      transferId: 't-usdt',
      at: '',
    });
    // The watch knows another custody (CustodianJson unset or different): only the token itself says it is frozen.
    const blacklist = new MemoryTokenBlacklist().freeze(31337, USDT, CUSTODY);
    published.counts.length = 0;
    const report = await sweepDeposits(chainConfig, {
      rpc,
      chain: node,
      store,
      custody: CUSTODY,
      threshold: () => 1n,
      batchSize: 50,
      now: () => new Date('2026-12-01T12:00:00.000Z'),
      frozen: async () => new Set<string>(),
      blacklist,
    });
    expect(report).toMatchObject({ custodyFrozen: 1, submitted: 0 });
    expect(node.balanceOf(USDT, DEPOSIT)).toBe(5_000_000n);
    expect(published.counts).toContain('FreezeIncidents');
  });
});
