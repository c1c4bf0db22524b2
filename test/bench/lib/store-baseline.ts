/**
 * The physical limit of the store for one transfer: one conditional transaction writing the transfer, its invoice
 * and its journal entry (three puts, each `attribute_not_exists`), items shaped like the pipeline's, sent through
 * the same client (and so the same timing middleware) against the same emulator, one after another.
 */
import { BatchWriteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../shared/adapters/aws/dynamodb';
import { tableName } from '../../../shared/adapters/config';
import { putJournalEntry } from '../../../shared/adapters/dynamo/journal';
import { transferItem } from '../../../shared/adapters/dynamo/transfers';
import { transferFinalEntry } from '../../../shared/domain/journal';
import { nowMs } from './stats';

let run = 0;

/** Runs `count` minimal transactions; with `cleanUp`, deletes what they wrote. Times each transaction. */
export async function storeBaseline(
  count: number,
  sampleInvoiceId: string,
  cleanUp: boolean,
): Promise<{ busyMs: number; sumMs: number }> {
  // Not the bench's ids: a ministry-free key space, removed again when `cleanUp`.
  const TableName = tableName();
  const { Item: invoice } = await ddb.send(
    new GetCommand({ TableName, Key: { pk: `INVOICE#${sampleInvoiceId}`, sk: 'INVOICE' } }),
  );
  if (!invoice) throw new Error(`sample invoice ${sampleInvoiceId} not found`);
  run++;
  const keys: { pk: string; sk: string }[] = [];
  let sumMs = 0;
  for (let i = 0; i < count; i++) {
    const id = `31337:0x${run.toString(16).padStart(8, '0')}${i.toString(16).padStart(56, '0')}:0`;
    const at = new Date().toISOString();
    const transfer = transferItem({
      id,
      chainId: 31337,
      token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      txHash: id.split(':')[1] as string,
      logIndex: 0,
      blockNumber: 1000 + i,
      blockHash: `0x${'ab'.repeat(32)}`,
      from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      to: invoice.depositAddress as string,
      amount: 500_000_000n,
      microUsd: 500_000_000n,
      remainderUnits: 0n,
      state: 'final',
      removedBlockHashes: [],
      invoiceId: `bench_${run}_${i}`,
      sources: ['alchemy'],
      history: [{ at, event: 'record', detail: `alchemy: block ${1000 + i}` }],
      firstSeenAt: at,
      version: 0,
    });
    const journal = putJournalEntry(
      transferFinalEntry({
        transferId: id,
        chainId: 31337,
        token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        microUsd: 500_000_000n,
        at,
        matched: { invoiceId: `bench_${run}_${i}`, ministry: 'AFSA', stillOwedMicroUsd: 500_000_000n },
      }),
    );
    const invoiceKey = { pk: `BENCH_INVOICE#${run}#${i}`, sk: 'INVOICE' };
    const cond = 'attribute_not_exists(pk)';
    const items = [
      { Put: { TableName, Item: { ...transfer, pk: `BENCH_TRANSFER#${id}` }, ConditionExpression: cond } },
      { Put: { TableName, Item: { ...invoice, ...invoiceKey }, ConditionExpression: cond } },
      { Put: { ...journal.Put, Item: { ...journal.Put.Item, pk: `BENCH_${journal.Put.Item.pk}` } } },
    ];
    keys.push({ pk: items[0]?.Put.Item.pk as string, sk: transfer.sk as string }, invoiceKey, {
      pk: items[2]?.Put.Item.pk as string,
      sk: journal.Put.Item.sk as string,
    });
    const t0 = nowMs();
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
    sumMs += nowMs() - t0;
  }
  if (cleanUp) {
    for (let i = 0; i < keys.length; i += 25) {
      await ddb.send(
        new BatchWriteCommand({
          RequestItems: { [TableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
  }
  // One request at a time: the busy time is the sum of the request times.
  return { busyMs: sumMs, sumMs };
}
