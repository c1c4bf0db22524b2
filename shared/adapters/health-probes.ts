/**
 * The health probes (shared/ports.ts `HealthProbe`) of the service's dependencies: the table, each queue the
 * service runs on, the RPC endpoint of each enabled chain, and the receipt signer (whose address is published so
 * anyone can verify receipts and export manifests offline).
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { HealthProbe } from '../ports';
import { type QueueName, queues } from '../resources';
import { dynamodb } from './aws/dynamodb';
import { sqs } from './aws/sqs';
import { jsonRpc } from './chain/json-rpc-probe';
import { rpcUrlOf } from './chain/rpc-urls';
import { type ChainEndpoint, chainEndpoints, queueUrl, tableName } from './config';
import { receiptSigner } from './signing/receipt-signer';

const tableProbe: HealthProbe = async () => {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName() }));
  if (Table?.TableStatus !== 'ACTIVE') throw new Error(`table is ${Table?.TableStatus ?? 'missing'}`);
  return undefined;
};

const queueProbe =
  (name: QueueName): HealthProbe =>
  async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl(name), AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return { depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
  };

/** The endpoint must serve the chain it is configured for, and answer its head. */
const chainProbe =
  (chain: ChainEndpoint): HealthProbe =>
  async () => {
    const rpcUrl = rpcUrlOf(chain.chainId);
    const [chainIdHex, blockHex] = await Promise.all([
      jsonRpc<string>(rpcUrl, 'eth_chainId'),
      jsonRpc<string>(rpcUrl, 'eth_blockNumber'),
    ]);
    if (BigInt(chainIdHex) !== BigInt(chain.chainId)) {
      throw new Error(`RPC serves chain ${BigInt(chainIdHex)}, expected ${chain.chainId}`);
    }
    return { blockNumber: BigInt(blockHex).toString() };
  };

/** The receipt signer's address (KMS `GetPublicKey` once per container; a dev key locally). */
export const signerProbe: HealthProbe = async () => ({ address: await receiptSigner().address() });

/** Every probe by name: `table`, `queue:<name>`, `chain:<id>`, `signer`. */
export function serviceHealthProbes(): Record<string, HealthProbe> {
  return {
    table: tableProbe,
    ...Object.fromEntries((Object.keys(queues) as QueueName[]).map((name) => [`queue:${name}`, queueProbe(name)])),
    ...Object.fromEntries(chainEndpoints.map((chain) => [`chain:${chain.chainId}`, chainProbe(chain)])),
    signer: signerProbe,
  };
}
