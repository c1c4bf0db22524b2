/**
 * Schedule: stores the NBK USD/KZT rate in force today (shared/app/refresh-rates.ts), and publishes whether an MRP
 * is approved for the Kazakhstan year 30 days ahead (`MrpMissingAhead`, alarmed: docs/reference-data.md).
 */
import { serviceNow } from '../../shared/adapters/clock';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { mrpMissingAheadGauge } from '../../shared/adapters/metrics';
import { nbkRatesFeed } from '../../shared/adapters/nbk-feed';
import { logger } from '../../shared/adapters/observability';
import { isMrpMissingAhead } from '../../shared/app/reference-data';
import { refreshRates } from '../../shared/app/refresh-rates';

const feed = nbkRatesFeed();

export const handler = lambdaHandler(async () => {
  // First, so an NBK outage never hides a missing MRP.
  const missing = await isMrpMissingAhead(dynamoReferenceData, serviceNow());
  mrpMissingAheadGauge(missing);
  if (missing) logger.warn('no MRP is approved for the year starting within 30 days: enter it at POST /v1/admin/mrp');
  return refreshRates({ feed, rates: dynamoRateStore, now: () => new Date() });
});
