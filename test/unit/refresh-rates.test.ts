/** Refreshing the NBK rate against an in-memory feed and store: today's rate, or the last published day's. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { refreshRates } from '../../shared/app/refresh-rates';
import { FxRateUnavailableError } from '../../shared/domain/fx';
import type { NbkRatesFeed } from '../../shared/ports';
import { MemoryRateStore } from '../support/memory-rates';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/nbk/${name}`, import.meta.url)), 'utf8');

/** A feed publishing the 2026-11-25 rates on the days given, `<rates/>` on every other day; it logs each read. */
function feedOn(days: string[]): NbkRatesFeed & { read: string[] } {
  const read: string[] = [];
  return {
    read,
    async ratesXml(day) {
      read.push(day);
      return fixture(days.includes(day) ? '2026-11-25.xml' : 'empty.xml');
    },
  };
}

/** 20:00 UTC on 2026-11-26 is already 27 November in Kazakhstan (UTC+5). */
const NOW = new Date('2026-11-26T20:00:00.000Z');

describe('refreshRates', () => {
  it("stores today's rate (Kazakhstan day) under its day", async () => {
    const rates = new MemoryRateStore();
    const feed = feedOn(['2026-11-27']);
    expect(await refreshRates({ feed, rates, now: () => NOW })).toEqual({ rate: '474.2', rateDate: '2026-11-27' });
    expect(feed.read).toEqual(['2026-11-27']);
    expect(await rates.usdKztRateFor('2026-11-27')).toEqual({
      rate: '474.2',
      rateDate: '2026-11-27',
      source: 'NBK',
      fetchedAt: NOW.toISOString(),
    });
  });

  it('walks back over days without rates to the last published one', async () => {
    const rates = new MemoryRateStore();
    const feed = feedOn(['2026-11-25']);
    expect(await refreshRates({ feed, rates, now: () => NOW })).toEqual({ rate: '474.2', rateDate: '2026-11-25' });
    expect(feed.read).toEqual(['2026-11-27', '2026-11-26', '2026-11-25']);
    expect([...rates.rates.keys()]).toEqual(['2026-11-25']);
  });

  it('stores nothing when the feed has no rate for a week', async () => {
    const rates = new MemoryRateStore();
    await expect(refreshRates({ feed: feedOn([]), rates, now: () => NOW })).rejects.toBeInstanceOf(
      FxRateUnavailableError,
    );
    expect(rates.rates.size).toBe(0);
  });
});
