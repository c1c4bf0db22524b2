/**
 * Schedule: the sweeper (shared/app/sweep-deposits.ts) on every enabled chain that names a `depositFactory`, the
 * chains side by side and each on its own (shared/adapters/chain/per-chain.ts). It pays gas with its own key (KMS in
 * the cloud, `SWEEPER_PRIVATE_KEY` locally: shared/adapters/signing/gas-signer.ts), which can move no collected money.
 *
 * Configuration: `SWEEP_THRESHOLDS` (JSON `{"<token address>": "<base units>"}`; a token not named: 0.01 of it) and
 * `SWEEP_BATCH_SIZE` (addresses per sweep transaction, default 50, at most 98: the sweep's record is one DynamoDB
 * transaction; a value out of range fails the function at start).
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import { enabledChains, rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';
import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { ethersSweepChain } from '../../shared/adapters/chain/sweep-chain';
import { jsonRpcTokenBlacklist } from '../../shared/adapters/chain/token-blacklist';
import { dynamoFreezeStore } from '../../shared/adapters/dynamo/freeze';
import { dynamoSweepStore } from '../../shared/adapters/dynamo/sweeps';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { gasKeyFromEnv } from '../../shared/adapters/signing/gas-signer';
import { sweepDeposits } from '../../shared/app/sweep-deposits';
import type { ChainConfig } from '../../shared/domain/chains';
import { sweepBatchSize } from '../../shared/domain/sweeps';
import type { ReceiptSigner } from '../../shared/ports';

const thresholdsSchema = z.record(z.string(), z.string().regex(/^\d+$/));

/** The sweep threshold of each token (base units), from `SWEEP_THRESHOLDS`; default 0.01 token. */
export function sweepThresholds(chains: readonly ChainConfig[], raw = process.env.SWEEP_THRESHOLDS) {
  const configured = new Map(
    Object.entries(thresholdsSchema.parse(JSON.parse(raw || '{}'))).map(([t, v]) => [getAddress(t), BigInt(v)]),
  );
  const decimals = new Map(chains.flatMap((c) => c.tokens.map((t) => [t.address, t.decimals] as const)));
  return (token: string): bigint => {
    const address = getAddress(token);
    return configured.get(address) ?? 10n ** BigInt(Math.max(0, (decimals.get(address) ?? 2) - 2));
  };
}

const batchSize = sweepBatchSize(process.env.SWEEP_BATCH_SIZE);
const sweptChains = enabledChains.filter((c) => c.depositFactory);
const threshold = sweepThresholds(sweptChains);
let gasKey: ReceiptSigner | undefined;
/** The tokens' blacklists, read for custody before each token's sweep (one eth_call per token with candidates). */
const blacklist = jsonRpcTokenBlacklist();
/** Each factory's custody, read from the chain once per container. */
const custodies = new Map<string, string>();

export const handler = lambdaHandler(async () => {
  gasKey ??= gasKeyFromEnv();
  const key = gasKey;
  const fault = faultHook('sweeper');
  return {
    reports: await forEachChain(
      'sweep',
      async (chain, rpc) => {
        const sweepChain = ethersSweepChain(rpcUrlOf(chain.chainId), chain.chainId, key);
        const factory = chain.depositFactory as string;
        const custodyKey = `${chain.chainId}:${factory}`;
        if (!custodies.has(custodyKey)) custodies.set(custodyKey, await sweepChain.custodyOf(factory));
        return sweepDeposits(chain, {
          rpc,
          chain: sweepChain,
          store: dynamoSweepStore,
          custody: custodies.get(custodyKey) as string,
          threshold,
          batchSize,
          now: () => new Date(),
          // Addresses a token issuer froze (the scanner's freeze watch): no sweep is attempted from them.
          frozen: (chainId) => dynamoFreezeStore.frozen(chainId),
          blacklist,
          ...(fault ? { fault } : {}),
        });
      },
      (r) => r.submitted + r.final + r.failed + r.rebroadcast + r.cleared + r.sendFailures > 0,
      { chains: sweptChains, rpcFor: (chain) => jsonRpcChain(rpcUrlOf(chain.chainId), chain.chainId) },
    ),
  };
});
