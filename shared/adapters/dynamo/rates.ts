/** Stored NBK exchange rates: one item per rate day, written by refresh-rates, read when quoting. */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RateStore, StoredRate } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const rateKeys = {
  usdKzt: (day: string) => ({ pk: 'RATE#USD/KZT', sk: `DAY#${day}` }),
};

/** Stores the USD/KZT rate of `rateDate`; writing the same day again overwrites it with the same value. */
export async function putUsdKztRate(rate: StoredRate): Promise<void> {
  await ddb.send(
    new PutCommand({ TableName: tableName(), Item: { ...rateKeys.usdKzt(rate.rateDate), type: 'rate', ...rate } }),
  );
}

/**
 * The rate in force on `day`: that day's, or the latest earlier one within `maxDaysBack` days (NBK publishes no
 * rates on some days; the previous day's then applies). Undefined when none is that recent.
 */
export async function usdKztRateFor(day: string, maxDaysBack = 7): Promise<StoredRate | undefined> {
  const earliest = new Date(Date.parse(`${day}T00:00:00Z`) - maxDaysBack * 86_400_000).toISOString().slice(0, 10);
  const { Items = [] } = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': rateKeys.usdKzt(day).pk,
        ':from': rateKeys.usdKzt(earliest).sk,
        ':to': rateKeys.usdKzt(day).sk,
      },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = Items[0];
  return item ? { rate: item.rate, rateDate: item.rateDate, source: 'NBK', fetchedAt: item.fetchedAt } : undefined;
}

/** The rate store port (shared/ports.ts) on the table. */
export const dynamoRateStore: RateStore = {
  usdKztRateFor: (day) => usdKztRateFor(day),
  putUsdKztRate,
};
