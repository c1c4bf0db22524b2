/**
 * The sweeper's chain port (shared/ports.ts `SweepChain`) over ethers: balances read as one JSON-RPC batch (ethers'
 * provider batches the calls of one tick into one HTTP request), the gas key's nonces and balance, and
 * `DepositFactory.sweep` built, gas-estimated with headroom, priced from the node, and signed by the gas key
 * ({@link DigestSigner}) without being sent. Every HTTP request to the node is counted.
 */
import {
  Contract,
  FetchRequest,
  Interface,
  type JsonRpcPayload,
  JsonRpcProvider,
  type JsonRpcResult,
  Network,
  Transaction,
} from 'ethers';
import type { ReceiptSigner, SignedTransaction, SweepChain } from '../../ports';
import { DigestSigner } from '../signing/gas-signer';
import { withoutRpcUrl } from './json-rpc-probe';

const FACTORY_ABI = [
  'function sweep(bytes32[] salts, address token)',
  'function custody() view returns (address)',
] as const;
const ERC20_ABI = ['function balanceOf(address) view returns (uint256)'] as const;
const factoryInterface = new Interface(FACTORY_ABI);

/** Gas limit = estimate × 3/2: a forwarder's inner transfer must never run short (it would emit SweepFailed). */
const GAS_HEADROOM_NUMERATOR = 3n;
const GAS_HEADROOM_DENOMINATOR = 2n;
/** At most this many balance reads per JSON-RPC batch. */
const BATCH_MAX = 100;

/**
 * A provider that counts its HTTP requests (one per JSON-RPC batch), and whose transport errors do not name the
 * node's URL (ethers puts `requestUrl` in an HTTP error's message; the URL may carry an API key).
 */
class CountingProvider extends JsonRpcProvider {
  requests = 0;
  constructor(
    private readonly rpcUrl: string,
    ...rest: ConstructorParameters<typeof JsonRpcProvider>
  ) {
    super(...rest);
  }
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests++;
    try {
      return await super._send(payload);
    } catch (error) {
      throw withoutRpcUrl(error, this.rpcUrl);
    }
  }
}

/** The sweeper's view of one chain, signing with `key`. */
export function ethersSweepChain(
  rpcUrl: string,
  chainId: number,
  key: ReceiptSigner,
): SweepChain & {
  custodyOf(factory: string): Promise<string>;
} {
  const request = new FetchRequest(rpcUrl);
  request.timeout = 8_000;
  const provider = new CountingProvider(rpcUrl, request, Network.from(chainId), {
    staticNetwork: true,
    batchMaxCount: BATCH_MAX,
    cacheTimeout: -1,
  });
  const signer = new DigestSigner(key, provider);
  return {
    sweeperAddress: () => signer.getAddress(),
    gasBalance: async () => provider.getBalance(await signer.getAddress(), 'latest'),
    async tokenBalances(token, addresses) {
      const erc20 = new Contract(token, ERC20_ABI, provider);
      const balanceOf = erc20.getFunction('balanceOf');
      return Promise.all(addresses.map(async (a) => (await balanceOf(a)) as bigint));
    },
    nonce: async (tag) => provider.getTransactionCount(await signer.getAddress(), tag),
    async signSweep({ factory, salts, token, nonce }): Promise<SignedTransaction> {
      const from = await signer.getAddress();
      const data = factoryInterface.encodeFunctionData('sweep', [salts, token]);
      const [estimate, fees] = await Promise.all([
        provider.estimateGas({ from, to: factory, data }),
        provider.getFeeData(),
      ]);
      const gasLimit = (estimate * GAS_HEADROOM_NUMERATOR) / GAS_HEADROOM_DENOMINATOR;
      const pricing =
        fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
          ? { type: 2, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
          : { type: 0, gasPrice: fees.gasPrice };
      const rawTx = await signer.signTransaction({ chainId, nonce, to: factory, data, gasLimit, ...pricing });
      return { txHash: Transaction.from(rawTx).hash as string, rawTx, nonce, from };
    },
    async broadcast(rawTx) {
      try {
        await provider.send('eth_sendRawTransaction', [rawTx]);
      } catch (error) {
        // A node that has it already (a rebroadcast) answers an error; that is what we wanted.
        if (!/already known|known transaction|already imported/i.test(String((error as Error).message))) throw error;
      }
    },
    knows: async (txHash) => (await provider.send('eth_getTransactionByHash', [txHash])) !== null,
    requests: () => provider.requests,
    async custodyOf(factory) {
      return (await new Contract(factory, FACTORY_ABI, provider).getFunction('custody')()) as string;
    },
  };
}
