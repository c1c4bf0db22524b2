/**
 * GET /v1/health — liveness and the state of every dependency: the table, each queue the service runs on, and
 * the RPC endpoint of each enabled chain. 200 when all are ok, 503 otherwise; the body says which failed.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { queues } from '../../infra/topology';
import { dynamodb } from '../../shared/adapters/aws/dynamodb';
import { sqs } from '../../shared/adapters/aws/sqs';
import { jsonRpc } from '../../shared/adapters/chain/json-rpc';
import { chainEndpoints, queueUrl, tableName } from '../../shared/adapters/config';
import { httpRoute } from '../../shared/adapters/http';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { checkHealth, type Probe } from '../../shared/app/health';

const probes: Record<string, Probe> = {
  table: async () => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName() }));
    if (Table?.TableStatus !== 'ACTIVE') throw new Error(`table is ${Table?.TableStatus ?? 'missing'}`);
    return undefined;
  },
  ...Object.fromEntries(
    (Object.keys(queues) as (keyof typeof queues)[]).map((name): [string, Probe] => [
      `queue:${name}`,
      async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl(name), AttributeNames: ['ApproximateNumberOfMessages'] }),
        );
        return { depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
      },
    ]),
  ),
  ...Object.fromEntries(
    chainEndpoints.map((chain): [string, Probe] => [
      `chain:${chain.chainId}`,
      async () => {
        const [chainIdHex, blockHex] = await Promise.all([
          jsonRpc<string>(chain.rpcUrl, 'eth_chainId'),
          jsonRpc<string>(chain.rpcUrl, 'eth_blockNumber'),
        ]);
        if (BigInt(chainIdHex) !== BigInt(chain.chainId)) {
          throw new Error(`RPC serves chain ${BigInt(chainIdHex)}, expected ${chain.chainId}`);
        }
        return { blockNumber: BigInt(blockHex).toString() };
      },
    ]),
  ),
};

probes.signer = async () => ({ address: await receiptSigner().address() });

export const handler = httpRoute({ auth: 'public' }, async () => {
  const report = await checkHealth(probes);
  // The receipt signer's address is published so anyone can verify receipts and export manifests offline.
  const signer = report.checks.signer?.address ?? null;
  return { status: report.status === 'ok' ? 200 : 503, body: { ...report, signer } };
});
