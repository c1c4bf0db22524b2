/**
 * Refreshing the exchange rate: the National Bank of Kazakhstan's USD/KZT rate in force today (Kazakhstan time) is
 * stored under the day NBK set it for. On a day without rates (`<rates/>`) the feed is walked back to the previous
 * day that has one, as NBK practice says. Re-running stores the same value again.
 */
import { logger } from '../adapters/observability';
import { type ResolvedRate, resolveRateForDay } from '../domain/fx';
import { kazakhstanDay } from '../domain/time';
import type { NbkRatesFeed, RateStore } from '../ports';

export interface RefreshRatesDeps {
  feed: NbkRatesFeed;
  rates: RateStore;
  now: () => Date;
}

/** Reads and stores today's rate; returns it. @throws FxRateUnavailableError when the feed has none for a week. */
export async function refreshRates(deps: RefreshRatesDeps): Promise<ResolvedRate> {
  const { rate, rateDate } = await resolveRateForDay(kazakhstanDay(deps.now()), (day) => deps.feed.ratesXml(day));
  await deps.rates.putUsdKztRate({ rate, rateDate, source: 'NBK', fetchedAt: deps.now().toISOString() });
  logger.info('NBK rate stored', { rateDate, rate });
  return { rate, rateDate };
}
