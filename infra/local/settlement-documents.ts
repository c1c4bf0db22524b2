/**
 * The documents a custodian and a bank hand over after a conversion, as the local runtime's mock custodian produces
 * them: the settlement report (CSV with the contract's columns, written with csv-stringify) and an ISO 20022
 * camt.053.001.08 statement of the state account's credits (written with fast-xml-parser's XMLBuilder).
 */
import { stringify } from 'csv-stringify/sync';
import { XMLBuilder } from 'fast-xml-parser';
import { formatDecimal } from '../../shared/domain/money';
import { FIAT_DECIMALS, SETTLEMENT_COLUMNS } from '../../shared/domain/settlements';

/** One conversion: the custody outflow and what the custodian remitted for it. */
export interface ConversionRecord {
  chainId: number;
  token: string;
  tokenDecimals: number;
  txHash: string;
  /** Token base units. */
  tokenAmount: bigint;
  fiatCurrency: 'KZT' | 'USD';
  /** Fiat minor units remitted. */
  fiatAmount: bigint;
  rate: string;
  feeAmount: bigint;
  valueDate: string;
  bankReference: string;
  kbk?: string;
}

/** The settlement report of `batchId`. */
export function settlementReportCsv(batchId: string, records: readonly ConversionRecord[]): string {
  const rows = records.map((r) => ({
    batchId,
    chainId: r.chainId,
    token: r.token,
    txHash: r.txHash,
    tokenAmount: formatDecimal(r.tokenAmount, r.tokenDecimals),
    fiatCurrency: r.fiatCurrency,
    fiatAmount: formatDecimal(r.fiatAmount, FIAT_DECIMALS),
    rate: r.rate,
    feeAmount: formatDecimal(r.feeAmount, FIAT_DECIMALS),
    valueDate: r.valueDate,
    bankReference: r.bankReference,
    kbk: r.kbk ?? '',
  }));
  return stringify(rows, { header: true, columns: [...SETTLEMENT_COLUMNS], record_delimiter: '\r\n' });
}

/** A credit on the statement: a conversion's remittance, or any other (`amount` overrides the remitted one). */
export interface StatementCredit {
  amount: bigint;
  currency: string;
  reference: string;
  kbk?: string;
}

const amountText = (minor: bigint) => {
  const whole = minor / 100n;
  return `${whole}.${(minor % 100n).toString().padStart(2, '0')}`;
};

/** A camt.053.001.08 statement of `account` for `day` holding `credits`, under message id `messageId`. */
export function camt053Statement(options: {
  messageId: string;
  account: string;
  currency: string;
  day: string;
  credits: readonly StatementCredit[];
  debtorName?: string;
}): string {
  const total = options.credits.reduce((s, c) => s + c.amount, 0n);
  const entries = options.credits.map((c, i) => ({
    NtryRef: String(i + 1),
    Amt: { '@_Ccy': c.currency, '#text': amountText(c.amount) },
    CdtDbtInd: 'CRDT',
    Sts: { Cd: 'BOOK' },
    BookgDt: { Dt: options.day },
    ValDt: { Dt: options.day },
    AcctSvcrRef: `${options.messageId}-${i + 1}`.slice(0, 35),
    NtryDtls: {
      TxDtls: {
        Refs: { EndToEndId: c.reference },
        Amt: { '@_Ccy': c.currency, '#text': amountText(c.amount) },
        CdtDbtInd: 'CRDT',
        RltdPties: { Dbtr: { Pty: { Nm: options.debtorName ?? 'Local Mock Custodian LLP' } } },
        ...(c.kbk ? { RmtInf: { Ustrd: `KNP 911 KBK ${c.kbk}` } } : {}),
      },
    },
  }));
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Document: {
      '@_xmlns': 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08',
      BkToCstmrStmt: {
        GrpHdr: { MsgId: options.messageId, CreDtTm: `${options.day}T23:00:00+05:00` },
        Stmt: {
          Id: `${options.messageId}-1`.slice(0, 35),
          CreDtTm: `${options.day}T23:00:00+05:00`,
          Acct: { Id: { IBAN: options.account }, Ccy: options.currency },
          Bal: {
            Tp: { CdOrPrtry: { Cd: 'CLBD' } },
            Amt: { '@_Ccy': options.currency, '#text': amountText(total) },
            CdtDbtInd: 'CRDT',
            Dt: { Dt: options.day },
          },
          Ntry: entries,
        },
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true }).build(document);
}
