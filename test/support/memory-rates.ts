/** An in-memory RateStore (shared/ports.ts): the rate in force on a day is that day's or the latest of the week before. */
import type { RateStore, StoredRate } from '../../shared/ports';

const DAY_MS = 86_400_000;

export class MemoryRateStore implements RateStore {
  readonly rates = new Map<string, StoredRate>();

  /** Stores a rate of `rateDate` (a test's starting state). */
  seed(rateDate: string, rate: string): this {
    this.rates.set(rateDate, { rate, rateDate, source: 'NBK', fetchedAt: `${rateDate}T03:00:00.000Z` });
    return this;
  }

  async usdKztRateFor(day: string): Promise<StoredRate | undefined> {
    const earliest = new Date(Date.parse(`${day}T00:00:00Z`) - 7 * DAY_MS).toISOString().slice(0, 10);
    const days = [...this.rates.keys()].filter((d) => d >= earliest && d <= day).sort();
    const latest = days.at(-1);
    return latest === undefined ? undefined : this.rates.get(latest);
  }

  async putUsdKztRate(rate: StoredRate): Promise<void> {
    this.rates.set(rate.rateDate, { ...rate });
  }
}
