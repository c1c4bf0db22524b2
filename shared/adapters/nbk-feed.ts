/**
 * The NBK rates feed port (shared/ports.ts) over HTTPS: `NBK_RATES_URL` (the mock feed locally), or the National
 * Bank's own address.
 */
import { NBK_RATES_URL, NbkFeedError, nbkRatesUrl } from '../domain/fx';
import type { NbkRatesFeed } from '../ports';

/** The feed at `base` (default: `NBK_RATES_URL`, then the National Bank's address); 5 seconds per day read. */
export function nbkRatesFeed(base = process.env.NBK_RATES_URL || NBK_RATES_URL): NbkRatesFeed {
  return {
    async ratesXml(day) {
      const response = await fetch(nbkRatesUrl(day, base), { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new NbkFeedError(`NBK answered HTTP ${response.status} for ${day}`);
      return response.text();
    },
  };
}
