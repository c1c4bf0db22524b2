/**
 * What the chain scanner lets through, against moto and a Hardhat chain (real contracts, real logs): a zero-value
 * transfer to a deposit address is counted (`ZeroValueTransfersIgnored`) and not sent; a transfer of a deployed ERC-20
 * token that is not on the allowlist is sent and ends in suspense as `token_not_accepted` (final, worth nothing, not
 * journaled); an ERC-721-shaped Transfer (4 topics) to the same address is not sent; the allowlisted payment still
 * pays. So dust raises no unmatched-transfers alarm, and money in an unknown token is visible.
 */
import { randomBytes } from 'node:crypto';
import { Contract, ContractFactory, Wallet } from 'ethers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { compileTestToken } from '../../infra/local/contracts';
import { DEV_ACCOUNT_XPUB } from '../../shared/domain/deposit-address';
import { ERC20_TRANSFER_TOPIC, type TransferObservedInput } from '../../shared/domain/transfers';
import { destroyLedgerClients, lambdaContext, ledgerProblems, pumpSightings, readLedger } from '../helpers/ledger';
import { useMoto } from '../helpers/moto';
import { MemoryLicenceRegister } from '../support/memory-compliance';
import { memoryReferenceData } from '../support/memory-reference-data';

const SIGNER_KEY = `0x${randomBytes(32).toString('hex')}`;
const SIGNER = new Wallet(SIGNER_KEY).address;
const FINALITY_DEPTH = 3;
// Blocks only when asked (each transaction mines one; `hardhat_mine` adds more).
const chain = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
await chain.provider.send('evm_setIntervalMining', [0]);
const resources = await useMoto();
Object.assign(process.env, {
  STAGE: 'local',
  CHAINS: JSON.stringify([{ chainId: chain.chainId, rpcUrl: chain.rpcUrl }]),
  LOCAL_CHAIN_TOKENS: JSON.stringify(chain.tokens),
  LOCAL_FINALITY_DEPTH: String(FINALITY_DEPTH),
  RECEIPT_SIGNER_PRIVATE_KEY: SIGNER_KEY,
  DEPOSIT_XPUB: DEV_ACCOUNT_XPUB,
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  FAULTS: '',
});
delete process.env.WEBHOOK_SECRETS_ARN;

const { handler: reconcileHandler } = await import('../../functions/reconcile-transfers/handler');
const { scanChain } = await import('../../shared/app/scan-chain');
const { confirmTransfers, RecentReports } = await import('../../shared/app/confirm-transfers');
const { dynamoScanCheckpoints } = await import('../../shared/adapters/dynamo/checkpoints');
const { dynamoWatchedAddresses } = await import('../../shared/adapters/dynamo/invoices');
const { dynamoTransfersToRecheck } = await import('../../shared/adapters/dynamo/transfers');
const { jsonRpcChain } = await import('../../shared/adapters/chain/json-rpc-chain');
const { sendMessages } = await import('../../shared/adapters/queue');
const { enabledChains } = await import('../../shared/adapters/chain/enabled-chains');
const { issueInvoice } = await import('../../shared/app/issue-invoice');
const { dynamoInvoiceStore } = await import('../../shared/adapters/dynamo/invoices');
const { dynamoRateStore } = await import('../../shared/adapters/dynamo/rates');
const { listUnmatched } = await import('../../shared/adapters/dynamo/transfers');
const { metrics } = await import('../../shared/adapters/observability');

const USD = 1_000_000n;
const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)'];
const localChain = enabledChains.find((c) => c.chainId === chain.chainId);
if (!localChain) throw new Error('the local chain is not enabled');
const rpc = jsonRpcChain(chain.rpcUrl, chain.chainId);
const context = lambdaContext('test');

afterAll(async () => {
  destroyLedgerClients();
  await chain.close();
});

/**
 * Deployment code of a contract that, called with an address as its only calldata word, emits
 * `Transfer(msg.sender, that address, 1)` with all three arguments indexed — an ERC-721 transfer's log shape, which
 * shares topic0 with ERC-20's and carries 4 topics and no data. Hand-assembled, so the test needs no NFT compile:
 * runtime `PUSH1 1; PUSH1 0; CALLDATALOAD; CALLER; PUSH32 topic0; PUSH1 0; PUSH1 0; LOG4; STOP` (45 bytes), behind
 * the usual copy-and-return constructor.
 */
const NFT_LIKE_INIT_CODE = `0x602d80600b6000396000f3600160003533${`7f${ERC20_TRANSFER_TOPIC.slice(2)}`}60006000a400`;

/** A token deployed from the same TestToken contract as the local stablecoins, but left off the allowlist. */
async function deployUnlistedToken(holder: string): Promise<string> {
  const { abi, bytecode } = compileTestToken();
  const deployer = await chain.provider.getSigner(holder);
  const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy('Not Listed USD', 'NLUSD', 6);
  await contract.waitForDeployment();
  await (await contract.getFunction('mint')(holder, 1_000n * USD)).wait();
  return contract.getAddress();
}

async function transfer(tokenAddress: string, from: string, to: string, amount: bigint): Promise<void> {
  const wallet = await chain.provider.getSigner(from);
  await (await new Contract(tokenAddress, ERC20, wallet).getFunction('transfer')(to, amount)).wait();
}

/** Feeds what the scanner and confirmer queued (transfers, and the ministries' sequences) to the reconciler. */
async function pump(): Promise<void> {
  const { failed } = await pumpSightings(reconcileHandler, resources.queueUrls, context);
  expect(failed).toEqual([]);
}

describe('scanner: dust and tokens off the allowlist', () => {
  it('drops zero-value and non-ERC-20 logs; sends an unknown token to a deposit address, which ends in suspense', async () => {
    const { invoice } = await issueInvoice(
      'AFSA',
      { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Dust Test LLP' } },
      undefined,
      {
        reference: memoryReferenceData(),
        chains: enabledChains,
        accountXpub: DEV_ACCOUNT_XPUB,
        now: () => new Date(),
        invoices: dynamoInvoiceStore,
        rates: dynamoRateStore,
        register: MemoryLicenceRegister.with(),
      },
    );
    const deposit = invoice.depositAddress;
    const [payer = '', other = ''] = chain.payers;
    const usdt = chain.tokens.find((t) => t.symbol === 'USDT')?.address ?? '';
    const unlisted = await deployUnlistedToken(payer);
    expect(localChain.tokens.map((t) => t.address.toLowerCase())).not.toContain(unlisted.toLowerCase());

    await transfer(usdt, payer, deposit, 0n); // dust of an accepted token
    await transfer(unlisted, payer, deposit, 0n); // dust of an unknown one
    await transfer(unlisted, payer, deposit, 5n * USD); // real money, unknown token
    await transfer(unlisted, payer, other, 7n * USD); // not to a watched address
    const wallet = await chain.provider.getSigner(payer);
    const nftAddress = (await (await wallet.sendTransaction({ data: NFT_LIKE_INIT_CODE })).wait())?.contractAddress;
    const nftCall = `0x${deposit.slice(2).toLowerCase().padStart(64, '0')}`;
    const nftReceipt = await (await wallet.sendTransaction({ to: nftAddress, data: nftCall })).wait();
    // The 4-topic Transfer to the deposit address is really on chain.
    expect(nftReceipt?.logs.map((l) => [l.topics.length, l.topics[0], l.topics[2]])).toEqual([
      [4, ERC20_TRANSFER_TOPIC, nftCall],
    ]);
    await transfer(usdt, payer, deposit, 500n * USD); // the fee, paid

    const sent: TransferObservedInput[] = [];
    const addMetric = vi.spyOn(metrics, 'addMetric');
    try {
      const report = await scanChain(localChain, {
        rpc,
        checkpoints: dynamoScanCheckpoints,
        watchedAddresses: dynamoWatchedAddresses,
        now: () => new Date(),
        send: async (messages) => {
          sent.push(...messages);
          await sendMessages('transfers', messages);
        },
      });
      expect(report).toMatchObject({ logs: 2, zeroValueIgnored: 2 });
      expect(sent.map((m) => [m.token.toLowerCase(), m.to.toLowerCase(), m.amount]).sort()).toEqual(
        [
          [unlisted.toLowerCase(), deposit.toLowerCase(), (5n * USD).toString()],
          [usdt.toLowerCase(), deposit.toLowerCase(), (500n * USD).toString()],
        ].sort(),
      );
      expect(addMetric).toHaveBeenCalledWith('ZeroValueTransfersIgnored', 'Count', 2);

      await pump();
      await chain.provider.send('hardhat_mine', [`0x${(FINALITY_DEPTH + 1).toString(16)}`]);
      await confirmTransfers(localChain, {
        rpc,
        transfers: dynamoTransfersToRecheck,
        reported: new RecentReports(),
        now: () => new Date(),
        send: (m) => sendMessages('transfers', m),
      });
      await pump();
      // One unmatched transfer for the alarm to count: the unknown token's, not the dust.
      const unmatched = addMetric.mock.calls.filter(([name]) => name === 'TransfersUnmatched');
      expect(unmatched.map(([, , n]) => n ?? 1)).toEqual([1]);
    } finally {
      addMetric.mockRestore();
    }

    const suspense = await listUnmatched(10);
    expect(suspense.items).toEqual([
      expect.objectContaining({
        token: expect.stringMatching(new RegExp(`^${unlisted}$`, 'i')),
        to: expect.stringMatching(new RegExp(`^${deposit}$`, 'i')),
        amount: 5n * USD,
        microUsd: 0n,
        state: 'final',
        unmatchedReason: 'token_not_accepted',
        sources: ['scanner'],
      }),
    ]);
    const ledger = await readLedger();
    expect(ledger.transfers).toHaveLength(2);
    expect(ledger.invoices.find((i) => i.id === invoice.id)).toMatchObject({
      status: 'paid',
      paidMicroUsd: 500n * USD,
    });
    // Worth nothing in USD, so not journaled; the ledger's invariants hold with it in suspense.
    const unknownId = suspense.items[0]?.id;
    expect(ledger.journal.filter((e) => e.kind === 'transfer-final').map((e) => e.transferId)).not.toContain(unknownId);
    const acceptedTokens = chain.tokens.map((t) => t.address.toLowerCase());
    expect(await ledgerProblems(ledger, { signer: SIGNER, acceptedTokens })).toEqual([]);
  }, 60_000);
});
