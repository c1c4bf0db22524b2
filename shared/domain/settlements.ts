/**
 * The custodian's settlement report (DESIGN.md, "Settlement"): a CSV with one line per conversion of custody funds,
 * `batchId, chainId, token, txHash, tokenAmount, fiatCurrency, fiatAmount, rate, feeAmount, valueDate, bankReference,
 * kbk?`. Parsed with csv-parse (RFC 4180, strict quoting) and validated whole: every bad cell is reported by its line
 * and column, and a report with any bad cell is refused entirely, so nothing of it is stored.
 *
 * Amounts travel as decimal strings and become bigint here: `tokenAmount` in token units (scaled by the token's
 * decimals, read from the chain configuration: the token is named by contract address, never by symbol),
 * `fiatAmount` and `feeAmount` in the fiat currency with at most 2 fraction digits (KZT tiyn, US cents), `rate` fiat
 * per token unit with at most 6 fraction digits.
 */
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { getAddress } from 'ethers';
import { type ChainConfig, findChain, findToken } from './chains';
import { type FieldIssue, ValidationError } from './errors';
import { FIAT_DECIMALS, formatDecimal, parseDecimal } from './money';

/** The report's columns, as the contract lists them; `kbk` may be absent or empty. */
export const SETTLEMENT_COLUMNS = [
  'batchId',
  'chainId',
  'token',
  'txHash',
  'tokenAmount',
  'fiatCurrency',
  'fiatAmount',
  'rate',
  'feeAmount',
  'valueDate',
  'bankReference',
  'kbk',
] as const;
type Column = (typeof SETTLEMENT_COLUMNS)[number];
const OPTIONAL_COLUMNS: readonly Column[] = ['kbk'];

/** The largest report accepted, in bytes (a month of conversions is a few hundred kB). */
export const MAX_SETTLEMENT_BYTES = 5 * 1024 * 1024;
/** At most this many bad cells are reported; a report with more is refused all the same. */
export const MAX_REPORTED_ISSUES = 50;

/** Fiat currencies a custodian remits: KZT to the Treasury, USD to the authority's account. */
export const fiatCurrencies = ['KZT', 'USD'] as const;
export type FiatCurrency = (typeof fiatCurrencies)[number];
/** Fiat minor units: tiyn and cents (shared/domain/money.ts). */
export { FIAT_DECIMALS };
/** A rate's precision: fiat per token unit. */
export const RATE_DECIMALS = 6;

export const BATCH_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const KBK = /^\d{6}$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 20022 Max35Text, printable, no leading formula character (a spreadsheet would run it). */
const BANK_REFERENCE = /^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/;

/** One conversion the custodian reports. Amounts in minor units as bigint. */
export interface SettlementLine {
  batchId: string;
  /** The line's 1-based line number in the uploaded file (the header is line 1). */
  line: number;
  chainId: number;
  /** Token contract address, EIP-55. */
  token: string;
  /** Lower-case. */
  txHash: string;
  /** Token base units. */
  tokenAmount: bigint;
  tokenDecimals: number;
  fiatCurrency: FiatCurrency;
  /** Fiat minor units remitted. */
  fiatAmount: bigint;
  /** Fiat per token unit, as given (canonical decimal string). */
  rate: string;
  /** Fiat minor units the custodian kept. */
  feeAmount: bigint;
  valueDate: string;
  bankReference: string;
  kbk?: string;
}

/** A stored settlement batch: what was uploaded, its hash, when and by whom. */
export interface SettlementBatch {
  batchId: string;
  sha256: string;
  bytes: number;
  lines: number;
  /** Where the upload is kept as received (the uploads bucket's key). */
  objectKey: string;
  uploadedAt: string;
  uploadedBy: string;
}

/** Whether `day` is a real calendar day `YYYY-MM-DD`. */
export function isIsoDay(day: string): boolean {
  if (!ISO_DAY.test(day)) return false;
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/**
 * A non-negative decimal amount, with a sentence for a person when it is not one (a negative amount says so rather
 * than "not a plain decimal").
 */
export function parseAmountCell(text: string, decimals: number, what: string): bigint {
  if (/^\s*-/.test(text)) throw new RangeError(`${what} must not be negative`);
  try {
    return parseDecimal(text, decimals, what);
  } catch (error) {
    if (error instanceof ValidationError) throw new RangeError(error.issues[0]?.message ?? 'is not an amount');
    throw error;
  }
}

/**
 * Parses and validates a whole report. Each row must carry the same `batchId`, a token the chain accepts, a
 * transaction hash not repeated in the report, and consistent amounts (`fiatAmount + feeAmount` is `tokenAmount ×
 * rate` to the minor unit, within one minor unit of rounding).
 *
 * @throws ValidationError naming each bad cell as `line N, column C` (at most {@link MAX_REPORTED_ISSUES}).
 */
export function parseSettlementCsv(
  bytes: Buffer,
  chains: readonly ChainConfig[],
): { batchId: string; lines: SettlementLine[] } {
  const records = readRecords(bytes);
  const header = records[0];
  if (!header) throw new ValidationError([{ field: 'line 1', message: 'the report is empty: a header is required' }]);
  const columns = headerColumns(header);
  if (records.length < 2) throw new ValidationError([{ field: 'line 2', message: 'the report has no lines' }]);
  const issues: FieldIssue[] = [];
  const lines: SettlementLine[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < records.length && issues.length < MAX_REPORTED_ISSUES; i++) {
    const lineNo = i + 1;
    const parsed = parseRow(records[i] ?? [], columns, lineNo, chains, issues);
    if (!parsed) continue;
    const key = `${parsed.chainId}:${parsed.txHash}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      issues.push({ field: `line ${lineNo}, column txHash`, message: `repeats the transaction of line ${earlier}` });
    } else seen.set(key, lineNo);
    const first = lines[0];
    if (first && parsed.batchId !== first.batchId) {
      issues.push({ field: `line ${lineNo}, column batchId`, message: `differs from line 2's ${first.batchId}` });
    }
    lines.push(parsed);
  }
  if (issues.length) throw new ValidationError(issues.slice(0, MAX_REPORTED_ISSUES));
  return { batchId: (lines[0] as SettlementLine).batchId, lines };
}

function readRecords(bytes: Buffer): string[][] {
  try {
    return parse(bytes, { bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 4096 });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ValidationError([{ field: `line ${line ?? '?'}`, message: `not valid CSV: ${error.message}` }]);
    }
    throw error;
  }
}

/** The position of each column in the header; the header must be exactly the contract's columns, in any order. */
function headerColumns(header: string[]): Map<Column, number> {
  const issues: FieldIssue[] = [];
  const positions = new Map<Column, number>();
  header.forEach((raw, index) => {
    const name = raw.trim();
    if (!(SETTLEMENT_COLUMNS as readonly string[]).includes(name)) {
      issues.push({ field: `line 1, column ${index + 1}`, message: `unknown column "${name.slice(0, 40)}"` });
    } else if (positions.has(name as Column)) {
      issues.push({ field: `line 1, column ${index + 1}`, message: `column ${name} appears twice` });
    } else positions.set(name as Column, index);
  });
  for (const column of SETTLEMENT_COLUMNS) {
    if (!positions.has(column) && !OPTIONAL_COLUMNS.includes(column)) {
      issues.push({ field: 'line 1', message: `missing column ${column}` });
    }
  }
  if (issues.length) {
    throw new ValidationError(issues, `The header must be: ${SETTLEMENT_COLUMNS.join(',')} (kbk optional).`);
  }
  return positions;
}

type Cells = (column: Column) => string;

function parseRow(
  record: string[],
  columns: Map<Column, number>,
  lineNo: number,
  chains: readonly ChainConfig[],
  issues: FieldIssue[],
): SettlementLine | undefined {
  if (record.length !== columns.size) {
    issues.push({ field: `line ${lineNo}`, message: `has ${record.length} cells; the header has ${columns.size}` });
    return undefined;
  }
  const cell: Cells = (column) => {
    const at = columns.get(column);
    return at === undefined ? '' : (record[at] ?? '').trim();
  };
  const before = issues.length;
  const check = <T>(column: Column, read: (text: string) => T): T | undefined => {
    try {
      return read(cell(column));
    } catch (error) {
      issues.push({ field: `line ${lineNo}, column ${column}`, message: (error as Error).message });
      return undefined;
    }
  };
  const fields = readFields(check, chains);
  if (issues.length > before || !fields) return undefined;
  const consistency = amountsDisagree(fields);
  if (consistency) {
    issues.push({ field: `line ${lineNo}, column fiatAmount`, message: consistency });
    return undefined;
  }
  return { ...fields, line: lineNo };
}

type Check = <T>(column: Column, read: (text: string) => T) => T | undefined;

function readFields(check: Check, chains: readonly ChainConfig[]): Omit<SettlementLine, 'line'> | null {
  const batchId = check('batchId', (t) => must(t, BATCH_ID_PATTERN, 'must be 1-64 letters, digits or _ . : -'));
  const chain = check('chainId', (t) => {
    const chain = /^\d{1,12}$/.test(t) ? findChain(chains, Number(t)) : undefined;
    if (!chain) throw new RangeError(`must be the id of an enabled chain (${chains.map((c) => c.chainId).join(', ')})`);
    return chain;
  });
  const token = check('token', (t) => {
    if (!chain) throw new RangeError('cannot be checked without a valid chainId');
    const found = /^0x[0-9a-fA-F]{40}$/.test(t) ? findToken(chain, t) : undefined;
    if (!found) throw new RangeError(`must be the contract address of a token accepted on chain ${chain.chainId}`);
    return found;
  });
  const txHash = check('txHash', (t) => must(t, TX_HASH, 'must be a 0x-prefixed 32-byte hex hash').toLowerCase());
  const tokenAmount = check('tokenAmount', (t) => {
    if (!token) throw new RangeError('cannot be checked without a valid token');
    const units = parseAmountCell(t, token.decimals, 'tokenAmount');
    if (units === 0n) throw new RangeError('must be positive');
    return units;
  });
  const fiatCurrency = check('fiatCurrency', (t) => {
    if (!(fiatCurrencies as readonly string[]).includes(t))
      throw new RangeError(`must be ${fiatCurrencies.join(' or ')}`);
    return t as FiatCurrency;
  });
  const fiatAmount = check('fiatAmount', (t) => parseAmountCell(t, FIAT_DECIMALS, 'fiatAmount'));
  const rate = check('rate', (t) => {
    const scaled = parseAmountCell(t, RATE_DECIMALS, 'rate');
    if (scaled === 0n) throw new RangeError('must be positive');
    return formatDecimal(scaled, RATE_DECIMALS);
  });
  const feeAmount = check('feeAmount', (t) => parseAmountCell(t, FIAT_DECIMALS, 'feeAmount'));
  const valueDate = check('valueDate', (t) => {
    if (!isIsoDay(t)) throw new RangeError('must be a date YYYY-MM-DD');
    return t;
  });
  const bankReference = check('bankReference', (t) =>
    must(t, BANK_REFERENCE, "must be 1-35 letters, digits, spaces or / - ? : ( ) . , ' + (ISO 20022 Max35Text)"),
  );
  const kbk = check('kbk', (t) =>
    t === '' ? undefined : must(t, KBK, 'must be a 6-digit budget classification code'),
  );
  if (batchId === undefined || !chain || !token || txHash === undefined || tokenAmount === undefined) return null;
  if (fiatCurrency === undefined || fiatAmount === undefined || rate === undefined || feeAmount === undefined)
    return null;
  if (valueDate === undefined || bankReference === undefined) return null;
  return {
    batchId,
    chainId: chain.chainId,
    token: getAddress(token.address),
    txHash,
    tokenAmount,
    tokenDecimals: token.decimals,
    fiatCurrency,
    fiatAmount,
    rate,
    feeAmount,
    valueDate,
    bankReference,
    ...(kbk ? { kbk } : {}),
  };
}

function must(text: string, pattern: RegExp, message: string): string {
  if (!pattern.test(text)) throw new RangeError(message);
  return text;
}

/**
 * Gross fiat of a line: `tokenAmount × rate` in fiat minor units, rounded half up. Exact arithmetic on the scaled
 * integers: tokenAmount (10^d) × rate (10^6) → minor units (10^2).
 */
export function grossFiatMinor(tokenAmount: bigint, tokenDecimals: number, rate: string): bigint {
  const rateScaled = parseDecimal(rate, RATE_DECIMALS, 'rate');
  const numerator = tokenAmount * rateScaled * 10n ** BigInt(FIAT_DECIMALS);
  const denominator = 10n ** BigInt(tokenDecimals + RATE_DECIMALS);
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Why a line's amounts disagree (`fiatAmount + feeAmount` ≠ `tokenAmount × rate`, beyond a minor unit), if they do. */
export function amountsDisagree(line: Omit<SettlementLine, 'line'>): string | undefined {
  const gross = grossFiatMinor(line.tokenAmount, line.tokenDecimals, line.rate);
  const stated = line.fiatAmount + line.feeAmount;
  const diff = gross > stated ? gross - stated : stated - gross;
  if (diff <= 1n) return undefined;
  const fmt = (v: bigint) => formatDecimal(v, FIAT_DECIMALS);
  return `fiatAmount + feeAmount = ${fmt(stated)} but tokenAmount × rate = ${fmt(gross)} ${line.fiatCurrency}`;
}

/** A line as stored and on the wire: amounts as decimal strings (token amount in base units). */
export function settlementLineToWire(line: SettlementLine) {
  return {
    batchId: line.batchId,
    line: line.line,
    chainId: line.chainId,
    token: line.token,
    txHash: line.txHash,
    tokenAmount: line.tokenAmount.toString(),
    tokenDecimals: line.tokenDecimals,
    fiatCurrency: line.fiatCurrency,
    fiatAmount: formatDecimal(line.fiatAmount, FIAT_DECIMALS),
    rate: line.rate,
    feeAmount: formatDecimal(line.feeAmount, FIAT_DECIMALS),
    valueDate: line.valueDate,
    bankReference: line.bankReference,
    kbk: line.kbk ?? null,
  };
}
