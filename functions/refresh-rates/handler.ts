/** Schedule: stores the NBK USD/KZT rate in force today (shared/app/refresh-rates.ts). */
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { nbkRatesFeed } from '../../shared/adapters/nbk-feed';
import { refreshRates } from '../../shared/app/refresh-rates';

const feed = nbkRatesFeed();

export const handler = lambdaHandler(() => refreshRates({ feed, rates: dynamoRateStore, now: () => new Date() }));
