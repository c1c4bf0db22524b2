import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../shared/adapters/http';
import { MrpUnavailableError } from '../../shared/domain/fees';
import {
  addDays,
  divideDecimalByQuant,
  FxRateUnavailableError,
  isoToNbkDate,
  kztMinorToMicroUsd,
  microUsdToKztMinor,
  NbkFeedError,
  nbkDateToIso,
  nbkRatesUrl,
  parseNbkRates,
  quoteFee,
  resolveRateForDay,
} from '../../shared/domain/fx';
import { formatDecimal, parseDecimal } from '../../shared/domain/money';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/nbk/${name}`, import.meta.url)), 'utf8');
const FEED = fixture('2026-11-25.xml');
const EMPTY = fixture('empty.xml');

describe('parseNbkRates', () => {
  it('reads the fixture: date, USD and the quant-scaled currencies exactly', () => {
    const parsed = parseNbkRates(FEED);
    expect(parsed?.date).toBe('2026-11-25');
    expect(parsed?.rates.get('USD')).toEqual({ rate: '474.2', description: '474.2', quant: 1 });
    expect(parsed?.rates.get('RUB')?.rate).toBe('5.87');
    expect(parsed?.rates.get('EUR')?.rate).toBe('548.31');
    // JPY 30.44 per 10 = 3.044; KRW 32.51 per 100 = 0.3251; UZS 3.95 per 100 = 0.0395.
    expect(parsed?.rates.get('JPY')).toEqual({ rate: '3.044', description: '30.44', quant: 10 });
    expect(parsed?.rates.get('KRW')?.rate).toBe('0.3251');
    expect(parsed?.rates.get('UZS')?.rate).toBe('0.0395');
    expect(parsed?.rates.size).toBe(10);
  });

  it('treats an empty feed as "no rates that day"', () => {
    expect(parseNbkRates(EMPTY)).toBeNull();
    expect(parseNbkRates('<?xml version="1.0" encoding="utf-8"?>\n<rates />\n')).toBeNull();
    expect(parseNbkRates('<rates></rates>')).toBeNull();
    expect(parseNbkRates('<rates><date>28.11.2026</date></rates>')).toBeNull();
  });

  it('refuses a body that is not a rates document', () => {
    expect(() => parseNbkRates('<html><body>502 Bad Gateway</body></html>')).toThrow(NbkFeedError);
    expect(() => parseNbkRates('')).toThrow(NbkFeedError);
    expect(() => parseNbkRates('<rates><item><title>USD</title>')).toThrow(NbkFeedError);
  });

  it('copes with a BOM, CRLF, comments, attributes, CDATA and entities', () => {
    const xml =
      '\uFEFF<?xml version="1.0"?>\r\n<rates version="2">\r\n<!-- <item><title>USD</title><description>1</description></item> -->\r\n' +
      '<date>01.12.2026</date>\r\n<item id="1">\r\n<fullname>ДОЛЛАР США &amp; co</fullname><title> usd </title>' +
      '<description><![CDATA[ 480.05 ]]></description>\r\n<quant>1</quant></item>\r\n</rates>';
    const parsed = parseNbkRates(xml);
    expect(parsed?.date).toBe('2026-12-01');
    expect(parsed?.rates.get('USD')?.rate).toBe('480.05');
    expect(parsed?.rates.size).toBe(1);
  });

  it('skips malformed items without losing the good ones', () => {
    const xml = `<rates>
      <item><title>AAA</title><description>-1</description><quant>1</quant></item>
      <item><title>BBB</title><description>1e3</description><quant>1</quant></item>
      <item><title>CCC</title><description>10</description><quant>0</quant></item>
      <item><title>DDD</title><description>10</description><quant>3</quant></item>
      <item><title>EEE</title><description>0</description><quant>1</quant></item>
      <item><title>TOOLONG</title><description>1</description><quant>1</quant></item>
      <item><title>USD</title><description>474.2</description></item>
    </rates>`;
    const parsed = parseNbkRates(xml);
    expect([...(parsed?.rates.keys() ?? [])]).toEqual(['USD']);
    expect(parsed?.rates.get('USD')?.quant).toBe(1);
    expect(parsed?.date).toBeUndefined();
  });

  it('does not take an item title or description for the feed date or rates', () => {
    const xml =
      '<rates><title>USD</title><description>999</description><item><title>EUR</title><description>500</description><quant>1</quant></item></rates>';
    const parsed = parseNbkRates(xml);
    expect(parsed?.rates.has('USD')).toBe(false);
    expect(parsed?.rates.get('EUR')?.rate).toBe('500');
  });

  it('rate × quant = description, exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(1, 10, 100, 1000),
        (units, frac, quant) => {
          const description = formatDecimal(units, frac);
          const xml = `<rates><date>02.01.2026</date><item><title>XYZ</title><description>${description}</description><quant>${quant}</quant></item></rates>`;
          const rate = parseNbkRates(xml)?.rates.get('XYZ')?.rate;
          expect(rate).toBeDefined();
          const scale = frac + 3;
          expect(parseDecimal(rate ?? '', scale) * BigInt(quant)).toBe(parseDecimal(description, scale));
        },
      ),
    );
  });
});

describe('divideDecimalByQuant', () => {
  it('is exact or refuses', () => {
    expect(divideDecimalByQuant('474.2', 1)).toBe('474.2');
    expect(divideDecimalByQuant('0.5', 8)).toBe('0.0625');
    expect(divideDecimalByQuant('3', 3)).toBe('1');
    expect(divideDecimalByQuant('1', 3)).toBeUndefined();
  });
});

describe('dates and URL', () => {
  it('converts between the feed format and ISO', () => {
    expect(nbkDateToIso('25.11.2026')).toBe('2026-11-25');
    expect(nbkDateToIso('2026-11-25')).toBeUndefined();
    expect(isoToNbkDate('2026-01-05')).toBe('05.01.2026');
    expect(nbkRatesUrl('2026-11-25')).toBe('https://nationalbank.kz/rss/get_rates.cfm?fdate=25.11.2026');
  });

  it('adds days across month, leap-year and year boundaries', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-11-25', 0)).toBe('2026-11-25');
  });
});

describe('resolveRateForDay', () => {
  const feeds: Record<string, string> = {
    '2026-11-28': EMPTY,
    '2026-11-27': '<rates><item><title>EUR</title><description>548</description><quant>1</quant></item></rates>',
    '2026-11-26': '<rates/>',
    '2026-11-25': FEED,
  };

  it('walks back over empty days and days without USD', async () => {
    const asked: string[] = [];
    const fetchDay = async (d: string) => {
      asked.push(d);
      return feeds[d] ?? EMPTY;
    };
    await expect(resolveRateForDay('2026-11-28', fetchDay)).resolves.toEqual({
      rate: '474.2',
      rateDate: '2026-11-25',
    });
    expect(asked).toEqual(['2026-11-28', '2026-11-27', '2026-11-26', '2026-11-25']);
  });

  it('returns the same day when it has a rate, and other currencies on request', async () => {
    const fetchDay = async (d: string) => feeds[d] ?? EMPTY;
    await expect(resolveRateForDay('2026-11-25', fetchDay)).resolves.toEqual({
      rate: '474.2',
      rateDate: '2026-11-25',
    });
    await expect(resolveRateForDay('2026-11-27', fetchDay, { currency: 'EUR' })).resolves.toEqual({
      rate: '548',
      rateDate: '2026-11-27',
    });
  });

  it('gives up after maxDaysBack with FxRateUnavailableError (a 503 at the HTTP adapter)', async () => {
    let calls = 0;
    const fetchDay = async (d: string) => {
      calls++;
      return feeds[d] ?? EMPTY;
    };
    const err = await resolveRateForDay('2026-11-28', fetchDay, { maxDaysBack: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FxRateUnavailableError);
    expect(errorResponse(err).statusCode).toBe(503);
    expect(calls).toBe(3);
  });
});

describe('quoteFee', () => {
  it('USD fee: cents × 10_000, fixed, no rate', () => {
    expect(quoteFee({ currency: 'USD', minor: 300_000n }, { rate: null, day: '2026-11-25' })).toEqual({
      dueMicroUsd: 3_000_000_000n,
      quote: { source: 'fixed' },
    });
  });

  it('MRP fee: 10 MRP in 2026 at 474.2 = USD 91.21', () => {
    // 10 MRP × 4,325 = 43,250 KZT = 4,325,000 tiyn. 43,250 / 474.2 = 91.2062...; in cents:
    // 43,250,000 / 4742 = 9120.62... (4742 × 9120 = 43,247,040, remainder 2,960) → up to 9121 cents = USD 91.21.
    const q = quoteFee({ mrp: 1_000n }, { rate: '474.2', rateDate: '2026-11-25', day: '2026-11-25' });
    expect(q).toEqual({
      dueMicroUsd: 91_210_000n,
      quote: {
        source: 'NBK',
        pair: 'USD/KZT',
        rate: '474.2',
        rateDate: '2026-11-25',
        mrpKzt: '4325',
        kztMinor: '4325000',
      },
    });
  });

  it('MRP fee uses the MRP of the invoice day’s year', () => {
    // 0.5 MRP in 2025 = 1,966 KZT; 1,966 / 474.2 = 4.1459... → 196,600 tiyn × 10 / 4742 = 414.59 → 415 cents.
    const q = quoteFee({ mrp: 50n }, { rate: { rate: '474.2' }, rateDate: '2025-12-30', day: '2025-12-31' });
    expect(q.dueMicroUsd).toBe(4_150_000n);
    expect(q.quote.mrpKzt).toBe('3932');
    expect(q.quote.kztMinor).toBe('196600');
    expect(q.quote.rateDate).toBe('2025-12-30');
    expect(() => quoteFee({ mrp: 50n }, { rate: '474.2', day: '2030-01-01' })).toThrow(MrpUnavailableError);
  });

  it('KZT fee: rounded UP to the cent, exact when it divides', () => {
    // 15,000 KZT / 474.2 = 31.632... → USD 31.64 (15,000,000 / 4742 = 3163.22 → 3164 cents).
    const q = quoteFee({ currency: 'KZT', minor: 1_500_000n }, { rate: '474.2', day: '2026-11-25' });
    expect(q.dueMicroUsd).toBe(31_640_000n);
    expect(q.quote).toEqual({
      source: 'NBK',
      pair: 'USD/KZT',
      rate: '474.2',
      rateDate: '2026-11-25',
      kztMinor: '1500000',
    });
    // 50,000 KZT at 500 = USD 100 exactly: no rounding up when nothing is left over.
    expect(quoteFee({ currency: 'KZT', minor: 5_000_000n }, { rate: '500', day: '2026-11-25' }).dueMicroUsd).toBe(
      100_000_000n,
    );
  });

  it('refuses to quote a KZT or MRP fee without a rate', () => {
    expect(() => quoteFee({ currency: 'KZT', minor: 100n }, { rate: null, day: '2026-11-25' })).toThrow(
      FxRateUnavailableError,
    );
    expect(() => quoteFee({ mrp: 100n }, { rate: null, day: '2026-11-25' })).toThrow(FxRateUnavailableError);
  });

  it('USD × rate ≥ KZT and (USD − 0.01) × rate < KZT (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }), // tiyn
        fc.bigInt({ min: 1n, max: 10n ** 9n }), // rate numerator
        fc.integer({ min: 0, max: 5 }), // rate fraction digits
        (tiyn, rateUnits, k) => {
          const rate = formatDecimal(rateUnits, k);
          const { dueMicroUsd } = quoteFee({ currency: 'KZT', minor: tiyn }, { rate, day: '2026-11-25' });
          expect(dueMicroUsd % 10_000n).toBe(0n);
          const cents = dueMicroUsd / 10_000n;
          // Compare in a common unit: cents × rate(=n/10^k) vs tiyn, i.e. cents × n vs tiyn × 10^k (both /100).
          const n = parseDecimal(rate, k);
          const scale = 10n ** BigInt(k);
          expect(cents * n >= tiyn * scale).toBe(true);
          expect((cents - 1n) * n < tiyn * scale).toBe(true);
        },
      ),
    );
  });

  it('kztMinorToMicroUsd agrees with quoteFee and refuses a zero rate', () => {
    expect(kztMinorToMicroUsd(4_325_000n, '474.2')).toBe(91_210_000n);
    expect(() => kztMinorToMicroUsd(1n, '0')).toThrow(RangeError);
  });
});

describe('microUsdToKztMinor', () => {
  it('converts at the locked rate exactly, up to the tiyn, so nothing still due reads as zero', () => {
    expect(microUsdToKztMinor(8_690_000n, '474.2')).toBe(412_080n); // 4120.798 → 4120.80
    expect(microUsdToKztMinor(1_000_000n, '474.25')).toBe(47_425n);
    expect(microUsdToKztMinor(10_000n, '474.25')).toBe(475n); // 4.7425 → 4.75
    expect(microUsdToKztMinor(1n, '474.2')).toBe(1n); // 0.0004742 → 0.01
    expect(microUsdToKztMinor(0n, '474.2')).toBe(0n);
  });
});
