/**
 * Bank statements: ISO 20022 camt.053 (BankToCustomerStatement, versions 001.02 to 001.13), parsed with
 * fast-xml-parser — never with regular expressions — into the entries reconciliation needs: amount (decimal text →
 * bigint minor units), currency, credit or debit, value date, references (end-to-end id, the bank's and the entry's
 * own), counterparty and, where the remittance information carries one, the budget classification code (KBK).
 *
 * A statement is untrusted input: its size is bounded, a DOCTYPE (and so any entity declaration: the "billion laughs"
 * bomb, external entities) is refused before parsing, entities are never expanded (`processEntities: false`), nesting
 * is bounded, and anything that is not a well-formed camt.053 with the fields an entry needs is refused whole with
 * the place it broke.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type FieldIssue, ValidationError } from './errors';
import { isIsoDay, MAX_REPORTED_ISSUES, parseAmountCell } from './settlements';

/** The largest statement accepted, in bytes (a month of a Treasury account's credits is well under this). */
export const MAX_STATEMENT_BYTES = 5 * 1024 * 1024;

const CAMT053_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(0[2-9]|1[0-3])$/;
/** ISO 4217 currencies with 2 minor digits that statements may carry here. */
const CURRENCY_DECIMALS: Record<string, number> = { KZT: 2, USD: 2, EUR: 2 };

/** One booked credit or debit of a statement (one per transaction detail when an entry is a batch). */
export interface BankEntry {
  /** The statement document's id (GrpHdr/MsgId) and the statement's own id. */
  messageId: string;
  statementId: string;
  /** The statement account: IBAN, or its other identification. */
  account: string;
  /** 1-based position of the entry in the document, and of the transaction within it. */
  entryNo: number;
  txNo: number;
  direction: 'credit' | 'debit';
  currency: string;
  /** Minor units. */
  amount: bigint;
  valueDate: string;
  bookingDate?: string;
  /** The references this entry can be matched by: end-to-end id, bank references, entry reference. */
  references: string[];
  endToEndId?: string;
  counterpartyName?: string;
  counterpartyAccount?: string;
  remittance?: string;
  kbk?: string;
}

/** A statement document as stored: what was uploaded, its hash, when and by whom. */
export interface BankStatementUpload {
  messageId: string;
  sha256: string;
  bytes: number;
  entries: number;
  objectKey: string;
  uploadedAt: string;
  uploadedBy: string;
}

/** Leaves that repeat in camt.053: always arrays, so one entry and many read alike. */
const REPEATED = new Set(['Stmt', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'Bal', 'Rcrd']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Prefixes are dropped from element names only, so the root keeps its xmlns attributes (the message's version).
  transformTagName: (name: string) => name.slice(name.indexOf(':') + 1),
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  maxNestedTags: 64,
  isArray: (name) => REPEATED.has(name),
});

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is walked defensively, every leaf checked where it is read.
type Node = any;

/**
 * Parses a camt.053 document into its entries.
 *
 * @throws ValidationError naming the place (statement, entry, element) for every problem found.
 */
export function parseCamt053(bytes: Buffer): { messageId: string; entries: BankEntry[] } {
  const xml = bytes.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw invalid('(body)', 'a DOCTYPE or entity declaration is not accepted in a bank statement');
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const { line, col, msg } = wellFormed.err;
    throw invalid(`line ${line}, column ${col}`, `not well-formed XML: ${msg}`);
  }
  let doc: Node;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw invalid('(body)', `not well-formed XML: ${(error as Error).message}`);
  }
  const root = doc?.Document;
  const namespaces = Object.entries(root ?? {}).filter(([key]) => key === '@xmlns' || key.startsWith('@xmlns:'));
  if (!root || !namespaces.some(([, value]) => CAMT053_NAMESPACE.test(text(value) ?? ''))) {
    throw invalid(
      'Document',
      'must be an ISO 20022 camt.053 Document (xmlns urn:iso:std:iso:20022:tech:xsd:camt.053.001.02-13)',
    );
  }
  const body = root.BkToCstmrStmt;
  const messageId = text(body?.GrpHdr?.MsgId);
  if (!messageId || messageId.length > 35) throw invalid('GrpHdr/MsgId', 'is required (Max35Text)');
  const statements: Node[] = body.Stmt ?? [];
  if (statements.length === 0) throw invalid('BkToCstmrStmt/Stmt', 'the document holds no statement');
  const issues: FieldIssue[] = [];
  const entries: BankEntry[] = [];
  statements.forEach((stmt, s) => {
    entries.push(...statementEntries(stmt, `Stmt[${s + 1}]`, messageId, entries.length, issues));
  });
  if (issues.length) throw new ValidationError(issues.slice(0, MAX_REPORTED_ISSUES));
  return { messageId, entries };
}

function statementEntries(stmt: Node, at: string, messageId: string, offset: number, issues: FieldIssue[]) {
  const statementId = text(stmt?.Id);
  const account = text(stmt?.Acct?.Id?.IBAN) ?? text(stmt?.Acct?.Id?.Othr?.Id);
  if (!statementId) issues.push({ field: `${at}/Id`, message: 'is required' });
  if (!account) issues.push({ field: `${at}/Acct/Id`, message: 'an IBAN or other account id is required' });
  const out: BankEntry[] = [];
  const entries: Node[] = Array.isArray(stmt?.Ntry) ? stmt.Ntry : [];
  entries.forEach((ntry, n) => {
    if (issues.length >= MAX_REPORTED_ISSUES) return;
    const place = `${at}/Ntry[${n + 1}]`;
    const base = entryBase(ntry, place, issues);
    if (!base || !statementId || !account) return;
    const details: Node[] = (ntry.NtryDtls ?? []).flatMap((d: Node) => d?.TxDtls ?? []);
    const txs = details.length ? details : [undefined];
    txs.forEach((tx, t) => {
      const entry = transaction(base, tx, txs.length, `${place}/NtryDtls/TxDtls[${t + 1}]`, issues);
      if (entry) {
        out.push({ ...entry, messageId, statementId, account, entryNo: offset + out.length + 1, txNo: t + 1 });
      }
    });
  });
  return out;
}

type EntryBase = Pick<BankEntry, 'direction' | 'currency' | 'amount' | 'valueDate' | 'bookingDate' | 'references'>;

function entryBase(ntry: Node, place: string, issues: FieldIssue[]): EntryBase | undefined {
  const before = issues.length;
  const amount = amountOf(ntry?.Amt, `${place}/Amt`, issues);
  const indicator = text(ntry?.CdtDbtInd);
  if (indicator !== 'CRDT' && indicator !== 'DBIT')
    issues.push({ field: `${place}/CdtDbtInd`, message: 'must be CRDT or DBIT' });
  const valueDate = dayOf(ntry?.ValDt) ?? dayOf(ntry?.BookgDt);
  if (!valueDate) issues.push({ field: `${place}/ValDt`, message: 'a value (or booking) date YYYY-MM-DD is required' });
  if (issues.length > before || !amount || !valueDate) return undefined;
  const bookingDate = dayOf(ntry?.BookgDt);
  return {
    direction: indicator === 'CRDT' ? 'credit' : 'debit',
    ...amount,
    valueDate,
    ...(bookingDate ? { bookingDate } : {}),
    references: [text(ntry?.AcctSvcrRef), text(ntry?.NtryRef)].filter((r): r is string => Boolean(r)),
  };
}

function transaction(
  base: EntryBase,
  tx: Node,
  count: number,
  place: string,
  issues: FieldIssue[],
): Omit<BankEntry, 'messageId' | 'statementId' | 'account' | 'entryNo' | 'txNo'> | undefined {
  // A batch entry's transactions each carry their own amount; a single one may rely on the entry's.
  const own = tx?.Amt ?? tx?.AmtDtls?.TxAmt?.Amt;
  const amount = own !== undefined ? amountOf(own, `${place}/Amt`, issues) : count === 1 ? base : undefined;
  if (!amount) {
    if (own === undefined)
      issues.push({ field: `${place}/Amt`, message: 'each transaction of a batch entry needs its amount' });
    return undefined;
  }
  const endToEnd = text(tx?.Refs?.EndToEndId);
  const endToEndId = endToEnd && endToEnd !== 'NOTPROVIDED' ? endToEnd : undefined;
  const refs = [endToEndId, text(tx?.Refs?.AcctSvcrRef), text(tx?.Refs?.TxId), text(tx?.Refs?.InstrId)];
  const debtor = base.direction === 'credit' ? tx?.RltdPties?.Dbtr : tx?.RltdPties?.Cdtr;
  const debtorAccount = base.direction === 'credit' ? tx?.RltdPties?.DbtrAcct : tx?.RltdPties?.CdtrAcct;
  const counterpartyName = text(debtor?.Pty?.Nm) ?? text(debtor?.Nm);
  const counterpartyAccount = text(debtorAccount?.Id?.IBAN) ?? text(debtorAccount?.Id?.Othr?.Id);
  const remittance = remittanceText(tx?.RmtInf);
  const kbk = budgetCode(tx?.RmtInf, remittance);
  const references = [...new Set([...refs, ...base.references].filter((r): r is string => Boolean(r)))];
  return {
    ...base,
    currency: amount.currency,
    amount: amount.amount,
    references,
    ...(endToEndId ? { endToEndId } : {}),
    ...(counterpartyName ? { counterpartyName } : {}),
    ...(counterpartyAccount ? { counterpartyAccount } : {}),
    ...(remittance ? { remittance } : {}),
    ...(kbk ? { kbk } : {}),
  };
}

function amountOf(node: Node, field: string, issues: FieldIssue[]): { currency: string; amount: bigint } | undefined {
  const value = text(node?.['#text'] ?? node);
  const currency = text(node?.['@Ccy']);
  const decimals = currency ? CURRENCY_DECIMALS[currency] : undefined;
  if (!currency || decimals === undefined) {
    issues.push({ field: `${field}/@Ccy`, message: `must be one of ${Object.keys(CURRENCY_DECIMALS).join(', ')}` });
    return undefined;
  }
  try {
    return { currency, amount: parseAmountCell(value ?? '', decimals, 'Amt') };
  } catch (error) {
    issues.push({ field, message: (error as Error).message });
    return undefined;
  }
}

function dayOf(node: Node): string | undefined {
  const day = text(node?.Dt) ?? text(node?.DtTm)?.slice(0, 10);
  return day && isIsoDay(day) ? day : undefined;
}

/** Unstructured remittance lines and structured additional info, joined: where Kazakh payments name KBK and KNP. */
function remittanceText(rmt: Node): string | undefined {
  if (!rmt) return undefined;
  const parts = [
    ...(rmt.Ustrd ?? []).map(text),
    ...(rmt.Strd ?? []).flatMap((s: Node) => [text(s?.AddtlRmtInf), text(s?.CdtrRefInf?.Ref)]),
  ].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join(' ').slice(0, 500) : undefined;
}

/**
 * The KBK: a structured tax remittance's category (`Strd/TaxRmt/Rcrd/Ctgy`), else a 6-digit code after "KBK"/"КБК"
 * in the remittance text (how Kazakh payment orders carry it in free text).
 */
function budgetCode(rmt: Node, remittance: string | undefined): string | undefined {
  for (const strd of rmt?.Strd ?? []) {
    for (const record of strd?.TaxRmt?.Rcrd ?? []) {
      const category = text(record?.Ctgy);
      if (category && /^\d{6}$/.test(category)) return category;
    }
  }
  const match = remittance ? /(?:KBK|КБК)[\s:/=-]*(\d{6})(?!\d)/i.exec(remittance) : null;
  return match?.[1];
}

/** A leaf's text, trimmed; undefined for a missing or non-text node. */
function text(node: Node): string | undefined {
  if (typeof node === 'string') return node.trim() || undefined;
  if (typeof node === 'number') return String(node);
  return undefined;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ field, message }]);
}

/** An entry on the wire: amounts as decimal strings. */
export function bankEntryToWire(entry: BankEntry) {
  const decimals = CURRENCY_DECIMALS[entry.currency] ?? 2;
  const scale = 10n ** BigInt(decimals);
  const whole = entry.amount / scale;
  const frac = (entry.amount % scale).toString().padStart(decimals, '0');
  return {
    messageId: entry.messageId,
    statementId: entry.statementId,
    account: entry.account,
    entryNo: entry.entryNo,
    txNo: entry.txNo,
    direction: entry.direction,
    currency: entry.currency,
    amount: `${whole}.${frac}`,
    valueDate: entry.valueDate,
    references: entry.references,
    counterpartyName: entry.counterpartyName ?? null,
    counterpartyAccount: entry.counterpartyAccount ?? null,
    kbk: entry.kbk ?? null,
  };
}
