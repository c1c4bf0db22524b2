/** Helpers for end-to-end tests on the local runtime: paying from funded accounts, waiting for state. */
import { Contract } from 'ethers';
import type { LocalRuntime } from '../../infra/local/runtime';

const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)'];

/** Sends `amount` base units of the local token `symbol` from Hardhat payer `payerIndex` to `to`; waits for it. */
export async function pay(runtime: LocalRuntime, to: string, amount: bigint, payerIndex = 0, symbol = 'USDT') {
  const token = runtime.chain.tokens.find((t) => t.symbol === symbol);
  if (!token) throw new Error(`no local token ${symbol}`);
  const wallet = await runtime.chain.provider.getSigner(runtime.chain.payers[payerIndex]);
  const tx = await new Contract(token.address, ERC20, wallet).getFunction('transfer')(to, amount);
  return tx.wait();
}

/** Polls `read` until `done` holds; fails with the last value after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) {
      throw new Error(`condition not reached; last value: ${JSON.stringify(value)?.slice(0, 600)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

/** Moves an invoice's expiry `minutesAgo` into the past, as time would (tests cannot wait an hour). */
export async function expireInvoiceNow(runtime: LocalRuntime, id: string, minutesAgo = 1): Promise<void> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { invoiceKeys } = await import('../../shared/adapters/dynamo/invoices');
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.aws.endpoint }));
  const expiresAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: runtime.resources.tableName,
        Key: invoiceKeys.invoice(id),
        UpdateExpression: 'SET expiresAt = :e, gsi3sk = :s',
        ExpressionAttributeValues: { ':e': expiresAt, ':s': invoiceKeys.expiring(expiresAt, id).gsi3sk },
      }),
    );
  } finally {
    ddb.destroy();
  }
}
