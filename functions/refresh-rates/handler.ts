/**
 * Schedule: reads the National Bank of Kazakhstan's USD/KZT rate in force today (Kazakhstan time) and stores it
 * under the day NBK set it for. On a day without rates (`<rates/>`) the feed is walked back to the previous day
 * that has one, as NBK practice says. Re-running stores the same value again.
 */

import { putUsdKztRate } from '../../shared/adapters/dynamo/rates';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { NBK_RATES_URL, NbkFeedError, nbkRatesUrl, resolveRateForDay } from '../../shared/domain/fx';
import { kazakhstanDay } from '../../shared/domain/time';

const feedBase = process.env.NBK_RATES_URL || NBK_RATES_URL;

async function fetchDay(day: string): Promise<string> {
  const response = await fetch(nbkRatesUrl(day, feedBase), { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new NbkFeedError(`NBK answered HTTP ${response.status} for ${day}`);
  return response.text();
}

export const handler = lambdaHandler(async () => {
  const { rate, rateDate } = await resolveRateForDay(kazakhstanDay(new Date()), fetchDay);
  await putUsdKztRate({ rate, rateDate, source: 'NBK', fetchedAt: new Date().toISOString() });
  logger.info('NBK rate stored', { rateDate, rate });
  return { rate, rateDate };
});
