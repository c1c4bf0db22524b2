/**
 * The sweeper on a real EVM (Hardhat, the local tokens and DepositFactory) and DynamoDB (moto), through its real
 * adapters: the ethers sweep chain signing with Hardhat account 18, the JSON-RPC chain, the DynamoDB sweep store.
 * The token is the local Tether-like USDT (no return value from `transfer`). Payments are swept to custody and recorded final with the `Swept` amounts; crashes after recording and before
 * broadcasting, after broadcasting, and before recording the outcome sweep nothing twice and leave records that
 * match the chain; a frozen address is recorded as failed while the rest of its batch is swept. Prints gas per
 * batch and requests per run (docs/custody.md).
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Contract } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { hardhatAccountKey, SWEEPER_ACCOUNT } from '../../infra/local/sweeper-key';
import { localChain } from '../../shared/domain/chains';
import { forwarderAddress } from '../../shared/domain/forwarder-address';
import { useMoto } from '../helpers/moto';

await useMoto();
const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { tableName } = await import('../../shared/adapters/config');
const { jsonRpcChain } = await import('../../shared/adapters/chain/json-rpc-chain');
const { ethersSweepChain } = await import('../../shared/adapters/chain/sweep-chain');
const { dynamoSweepStore, putSweepCandidate, sweepKeys } = await import('../../shared/adapters/dynamo/sweeps');
const { journalKeys } = await import('../../shared/adapters/dynamo/journal');
const { commit } = await import('../../shared/adapters/dynamo/transact');
const { LocalKeySigner } = await import('../../shared/adapters/signing/key-signers');
const { sweepDeposits } = await import('../../shared/app/sweep-deposits');

// Blocks only when a transaction is sent (or mined by hand), so finality is reached when the test says.
const node = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
await node.provider.send('evm_setIntervalMining', [0]);
afterAll(() => node.close());

const usdt = node.tokens.find((t) => t.symbol === 'USDT')?.address as string;
const chain = { ...localChain(node.tokens, 3), depositFactory: node.depositFactory };
const payer = await node.provider.getSigner(node.payers[0]);
// The local USDT is Tether-like (its `transfer` returns nothing; frozen with `addBlackList`), as on Ethereum.
const token = new Contract(
  usdt,
  [
    'function transfer(address to, uint256 amount)',
    'function balanceOf(address) view returns (uint256)',
    'function addBlackList(address account)',
  ],
  payer,
);
const sweepChain = ethersSweepChain(
  node.rpcUrl,
  31337,
  new LocalKeySigner(hardhatAccountKey(SWEEPER_ACCOUNT).privateKey),
);
const rpc = jsonRpcChain(node.rpcUrl, 31337);

const balance = async (holder: string) => (await token.getFunction('balanceOf')(holder)) as bigint;
const mine = (blocks: number) => node.provider.send('hardhat_mine', [`0x${blocks.toString(16)}`]);

/** Pays `amount` to a new invoice's forwarder and marks it as reconciliation does at finality. */
async function paid(amount: bigint): Promise<{ invoiceId: string; address: string }> {
  const invoiceId = `inv_${randomBytes(8).toString('hex')}`;
  const address = forwarderAddress({ factory: node.depositFactory }, invoiceId);
  await (await token.getFunction('transfer')(address, amount)).wait();
  const at = new Date().toISOString();
  await commit([
    putSweepCandidate({ chainId: 31337, token: usdt, address, invoiceId, transferId: `t-${invoiceId}`, at }),
  ]);
  return { invoiceId, address };
}

function run(fault?: string) {
  return sweepDeposits(chain, {
    rpc,
    chain: sweepChain,
    store: dynamoSweepStore,
    custody: node.custody,
    threshold: () => 1n,
    batchSize: 50,
    now: () => new Date(),
    ...(fault
      ? {
          fault: (step: string) => {
            if (step === fault) throw new Error(`injected fault at sweeper:${step}`);
          },
        }
      : {}),
  });
}

/** Mines past finality and runs until nothing is left submitted. */
async function settle() {
  for (let i = 0; i < 4; i++) {
    await mine(3);
    const report = await run();
    if (!(await dynamoSweepStore.submitted(31337)).length) return report;
  }
  throw new Error('a sweep stayed submitted');
}

async function sweepsOf(invoiceId: string) {
  const { sweepsOfInvoice } = await import('../../shared/adapters/dynamo/sweeps');
  return sweepsOfInvoice(invoiceId);
}

describe('the sweeper on Hardhat and DynamoDB', () => {
  it('sweeps paid forwarders to custody, records the sweep final with the Swept amounts, journals it, clears the candidates', async () => {
    const custodyBefore = await balance(node.custody);
    const a = await paid(500_000_000n);
    const b = await paid(20_000_000n);
    const submitted = await run();
    expect(submitted).toMatchObject({ submitted: 1, addresses: 2 });
    const [sweep] = await sweepsOf(a.invoiceId);
    const receipt = await node.provider.getTransactionReceipt(sweep?.txHash as string);
    const settled = await settle();
    expect(settled).toMatchObject({ final: 1, cleared: 2 });
    const [final] = await sweepsOf(a.invoiceId);
    expect(final).toMatchObject({ state: 'final', amount: 520_000_000n, custody: node.custody, nonce: sweep?.nonce });
    expect(final?.addresses.map((x) => x.amount)).toEqual([500_000_000n, 20_000_000n]);
    expect((await sweepsOf(b.invoiceId)).map((s) => s.id)).toEqual([final?.id]);
    expect(await balance(a.address)).toBe(0n);
    expect((await balance(node.custody)) - custodyBefore).toBe(520_000_000n);
    const entry = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: journalKeys.entry(`${final?.id}:final`) }),
    );
    expect(entry.Item).toMatchObject({ kind: 'sweep-final' });
    const candidate = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: sweepKeys.candidate(31337, usdt, a.address) }),
    );
    expect(candidate.Item).toBeUndefined();
    console.log(
      `sweep of 2 fresh addresses: gas used ${receipt?.gasUsed}; requests: submit run ${submitted.requests}, final run ${settled.requests}`,
    );
  });

  it('crash after recording, before broadcasting: the next run sends the same bytes; swept once', async () => {
    const custodyBefore = await balance(node.custody);
    const a = await paid(7_000_000n);
    await expect(run('after-record')).rejects.toThrow(/after-record/);
    const [recorded] = await sweepsOf(a.invoiceId);
    expect(recorded?.state).toBe('submitted');
    expect(await node.provider.getTransaction(recorded?.txHash as string)).toBeNull();
    expect(await run()).toMatchObject({ rebroadcast: 1, submitted: 0 });
    await settle();
    const sweeps = await sweepsOf(a.invoiceId);
    expect(sweeps).toEqual([expect.objectContaining({ id: recorded?.id, state: 'final', amount: 7_000_000n })]);
    expect((await balance(node.custody)) - custodyBefore).toBe(7_000_000n);
  });

  it('crash after broadcasting, then before recording the outcome: one sweep, recorded final once, records match the chain', async () => {
    const custodyBefore = await balance(node.custody);
    const a = await paid(9_000_000n);
    await expect(run('after-broadcast')).rejects.toThrow(/after-broadcast/);
    await mine(3);
    await expect(run('before-outcome')).rejects.toThrow(/before-outcome/);
    expect((await sweepsOf(a.invoiceId)).map((s) => s.state)).toEqual(['submitted']);
    await settle();
    await run();
    const sweeps = await sweepsOf(a.invoiceId);
    expect(sweeps).toEqual([expect.objectContaining({ state: 'final', amount: 9_000_000n })]);
    const onChain = await node.provider.getTransactionReceipt(sweeps[0]?.txHash as string);
    expect(onChain?.status).toBe(1);
    expect((await balance(node.custody)) - custodyBefore).toBe(9_000_000n);
    expect(await balance(a.address)).toBe(0n);
  });

  it('records a frozen address as failed (SweepFailed) and sweeps the rest of its batch', async () => {
    const frozen = await paid(3_000_000n);
    const fine = await paid(4_000_000n);
    // Tether's owner (the deployer, account 0) freezes it.
    const owner = await node.provider.getSigner(((await node.provider.send('eth_accounts', [])) as string[])[0]);
    await (await (token.connect(owner) as Contract).getFunction('addBlackList')(frozen.address)).wait();
    await run();
    await settle();
    const [sweep] = await sweepsOf(fine.invoiceId);
    expect(sweep).toMatchObject({ state: 'final', amount: 4_000_000n });
    const failed = sweep?.addresses.find((x) => x.invoiceId === frozen.invoiceId);
    expect(failed).toMatchObject({ amount: 0n });
    expect(failed?.failedReason).toMatch(/^0x/);
    expect(await balance(frozen.address)).toBe(3_000_000n);
    // Deferred: not tried again in the next run.
    expect(await run()).toMatchObject({ submitted: 0 });
  });
});
