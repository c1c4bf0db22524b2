/**
 * The receipt: a signed, chained document anyone holding the signer address can verify offline.
 *
 * - Signed as EIP-712 typed data (`eth_signTypedData_v4` semantics), so any EIP-712 library verifies it; the
 *   receipt carries its own `typedData` beside `signature` and `signer`.
 * - `hash` is the EIP-712 digest of the typed data, and the typed data includes `prevHash`, the hash of the same
 *   ministry's previous receipt (receiptNo - 1; {@link GENESIS_PREV_HASH} for receipt 1). Altering, removing or
 *   reordering a receipt therefore breaks the chain, and the signature makes rewriting the chain need the key.
 * - Every field of the receipt except `hash`, `signature`, `signer` and `typedData` (which derive from the others)
 *   is in the signed message, so a verifier recomputes the typed data from the fields themselves and never has to
 *   trust the embedded copy. The wire schema is strict: a field outside the signature is refused, not ignored.
 *
 * Pure: persistence (numbering, storing, the previous hash lookup) belongs to the store.
 */
import { getAddress, recoverAddress, type TypedDataDomain, TypedDataEncoder, type TypedDataField } from 'ethers';
import * as z from 'zod';
import type { ReceiptSigner } from '../ports';
import { type BudgetDetails, budgetDetailsSchema, type FeeAmountWire, feeAmountWireSchema } from './fees';
import type { QuoteInfo } from './fx';
import type { PricedWith } from './invoices';
import { ministryCodeSchema } from './ministry';
import { MAX_UINT256 } from './money';

/** The `prevHash` of a ministry's receipt 1. */
/**
 * The id of an invoice's receipt: it follows from the invoice's. An invoice has one receipt standing at a time; when
 * a receipt is annulled (a payment gone after finality) and the invoice is paid again, the next one is
 * `generation` 2, 3, …
 */
export function receiptIdFor(invoiceId: string, generation = 1): string {
  return `rcp_${invoiceId.replace(/^inv_/, '')}${generation > 1 ? `.${generation}` : ''}`;
}

/** The id of the `n`th annulment of an invoice's receipts. */
export function annulmentIdFor(invoiceId: string, n: number): string {
  return `ann_${invoiceId.replace(/^inv_/, '')}.${n}`;
}

/** Shape of every id of a document in a receipt chain (receipts and annulments), checked before any read. */
export const CHAIN_DOCUMENT_ID_PATTERN = /^(rcp|ann)_[A-Za-z0-9_-]{22}(\.[1-9]\d{0,3})?$/;

export const GENESIS_PREV_HASH = `0x${'0'.repeat(64)}`;

export type ReceiptException = 'none' | 'overpaid' | 'late';

/** One final transfer that paid the invoice. Money as decimal strings. */
export interface ReceiptPayment {
  chainId: number;
  /** Token contract, EIP-55 checksummed. */
  token: string;
  /** Lower-case 0x + 64 hex. */
  txHash: string;
  logIndex: number;
  blockNumber: number;
  /** Token base units (decimal string, up to uint256). */
  amount: string;
  /** The token's decimals (0..77). */
  decimals: number;
  /** The transfer's value in micro-USD (decimal string). */
  microUsd: string;
}

/** A receipt in wire form (API body, registry payload, export row). All money is decimal strings. */
export interface Receipt {
  receiptId: string;
  /** Decimal string, per ministry, gapless from "1". */
  receiptNo: string;
  invoiceId: string;
  ministry: string;
  feeCode: string;
  /** The fee's English title, when the issuer included it. */
  feeTitle?: string;
  /**
   * The fee's Kazakh and Russian titles (both or neither; receipts issued before they were carried have neither).
   * Signed as `feeTitleKk` and `feeTitleRu` right after `feeTitle`, so a receipt reads alone in the state languages.
   */
  feeTitleKk?: string;
  feeTitleRu?: string;
  payer: { bin: string; name: string; kod: string };
  fee: FeeAmountWire;
  /**
   * The reference-data versions the invoice was priced with (its `pricedWith`: the fee's version, and the MRP's for
   * an MRP fee). Signed as `feeVersion` and `mrpVersion` right after `feeAmount`; absent on a receipt whose invoice
   * was issued before reference data was versioned, which is signed over the type without them.
   */
  pricedWith?: PricedWith;
  budget?: BudgetDetails;
  quote: QuoteInfo;
  dueMicroUsd: string;
  paidMicroUsd: string;
  overpaidMicroUsd: string;
  exception: ReceiptException;
  payments: ReceiptPayment[];
  /** ISO-8601 UTC timestamp of the payment that completed the invoice. */
  paidAt: string;
  /** ISO-8601 UTC timestamp of issuance. */
  issuedAt: string;
  /**
   * Absent on a receipt. `annulment` on the signed document that annuls an earlier receipt of the same invoice,
   * because a payment it listed is gone from the chain after finality (DESIGN.md, Trust): it joins the ministry's
   * chain like a receipt; `payments` are the payments gone, `paidMicroUsd` what the invoice still has.
   */
  kind?: 'annulment';
  /** With `kind: 'annulment'`: the receiptId annulled. */
  annuls?: string;
  /** With `kind: 'annulment'`: why, in words. */
  reason?: string;
  /** `hash` of this ministry's previous receipt, or {@link GENESIS_PREV_HASH} for receipt 1. */
  prevHash: string;
  /** EIP-712 digest of `typedData` (lower-case 0x + 64 hex). */
  hash: string;
  /** 65-byte r||s||v over `hash` (lower-case hex, v 27/28). */
  signature: string;
  /** EIP-55 address of the signing key. */
  signer: string;
  typedData: ReceiptTypedData;
}

/** The fields a receipt's typed data is computed from. */
export type ReceiptFields = Omit<Receipt, 'hash' | 'signature' | 'signer' | 'typedData'>;
/** What the issuer supplies: everything but the chain link and what the signer adds. */
export type UnsignedReceipt = Omit<ReceiptFields, 'prevHash'>;

/** EIP-712 typed data as ethers takes it (`types` without `EIP712Domain`, which ethers derives from `domain`). */
export interface TypedDocument {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

export interface ReceiptTypedData extends TypedDocument {
  domain: { name: string; version: string };
  primaryType: 'Receipt' | 'Annulment';
}

/**
 * The EIP-712 domain of receipts. No `chainId` and no `verifyingContract`: a receipt is an off-chain document, not
 * an authorisation any contract acts on, so there is nothing to replay on another chain; its payments may span
 * several chains, and a domain bound to one chain would make wallets refuse to display it on others.
 * Separation from other documents the same key signs (export manifests) comes from the domain name and the
 * primary type, both part of the digest.
 */
export const RECEIPT_DOMAIN = Object.freeze({ name: 'stablefee receipts', version: '1' });

/**
 * The schema. Absent optional fields (feeTitle, budget, quote parts) are signed as empty strings; the wire schema
 * forbids empty strings where a value is present, so "absent" and "present" never share an encoding. uint256
 * values are canonical decimal strings in the message, so the typed data stays plain JSON. `Receipt` is the type of
 * the first receipts; fields added since join it only on receipts that carry them ({@link receiptTypeOf}).
 */
export const RECEIPT_TYPES: Readonly<Record<'Receipt' | 'Payment', readonly TypedDataField[]>> = Object.freeze({
  Receipt: [
    { name: 'receiptNo', type: 'uint256' },
    { name: 'receiptId', type: 'string' },
    { name: 'invoiceId', type: 'string' },
    { name: 'ministry', type: 'string' },
    { name: 'feeCode', type: 'string' },
    { name: 'feeTitle', type: 'string' },
    { name: 'payerBin', type: 'string' },
    { name: 'payerName', type: 'string' },
    { name: 'payerKod', type: 'string' },
    { name: 'feeCurrency', type: 'string' },
    { name: 'feeAmount', type: 'string' },
    { name: 'budgetKbk', type: 'string' },
    { name: 'budgetKnp', type: 'string' },
    { name: 'budgetKbe', type: 'string' },
    { name: 'budgetBeneficiaryBin', type: 'string' },
    { name: 'quoteSource', type: 'string' },
    { name: 'quotePair', type: 'string' },
    { name: 'quoteRate', type: 'string' },
    { name: 'quoteRateDate', type: 'string' },
    { name: 'quoteMrpKzt', type: 'string' },
    { name: 'quoteKztMinor', type: 'string' },
    { name: 'dueMicroUsd', type: 'uint256' },
    { name: 'paidMicroUsd', type: 'uint256' },
    { name: 'overpaidMicroUsd', type: 'uint256' },
    { name: 'exception', type: 'string' },
    { name: 'payments', type: 'Payment[]' },
    { name: 'paidAt', type: 'string' },
    { name: 'issuedAt', type: 'string' },
    { name: 'prevHash', type: 'bytes32' },
  ],
  Payment: [
    { name: 'chainId', type: 'uint256' },
    { name: 'token', type: 'address' },
    { name: 'txHash', type: 'bytes32' },
    { name: 'logIndex', type: 'uint256' },
    { name: 'blockNumber', type: 'uint256' },
    { name: 'amount', type: 'uint256' },
    { name: 'decimals', type: 'uint8' },
    { name: 'microUsd', type: 'uint256' },
  ],
});

/**
 * An annulment is signed as its own primary type (so no receipt and no annulment ever share a digest): the receipt
 * fields plus what it annuls and why.
 */
export const ANNULMENT_FIELDS: readonly TypedDataField[] = Object.freeze([
  { name: 'annuls', type: 'string' },
  { name: 'reason', type: 'string' },
]);

// ---------------------------------------------------------------------------------------------------------------
// Wire schema (strict: canonical forms only, so no two strings of one field hash alike)

const HASH_RE = /^0x[0-9a-f]{64}$/;
const uintString = z
  .string()
  .max(78)
  .regex(/^(0|[1-9]\d*)$/, 'must be a non-negative integer decimal string without leading zeros')
  .refine((s) => BigInt(s) <= MAX_UINT256, 'must fit a uint256');
const nonEmpty = z.string().min(1).max(500);
const hash32 = z.string().regex(HASH_RE, 'must be lower-case 0x + 64 hex digits');
const checksummedAddress = z.string().refine((s) => {
  try {
    return getAddress(s) === s;
  } catch {
    return false;
  }
}, 'must be an EIP-55 checksummed address');
const safeUint = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const paymentSchema = z.strictObject({
  chainId: safeUint.min(1),
  token: checksummedAddress,
  txHash: hash32,
  logIndex: safeUint,
  blockNumber: safeUint,
  amount: uintString,
  decimals: z.number().int().min(0).max(77),
  microUsd: uintString,
});

const quoteSchema = z.strictObject({
  source: z.enum(['NBK', 'fixed']),
  pair: z.literal('USD/KZT').optional(),
  rate: nonEmpty.optional(),
  rateDate: nonEmpty.optional(),
  mrpKzt: nonEmpty.optional(),
  kztMinor: nonEmpty.optional(),
});

const receiptFieldsShape = {
  receiptId: nonEmpty,
  receiptNo: uintString.refine((s) => s !== '0', 'must be at least 1'),
  invoiceId: nonEmpty,
  ministry: ministryCodeSchema,
  feeCode: nonEmpty,
  feeTitle: nonEmpty.optional(),
  feeTitleKk: nonEmpty.optional(),
  feeTitleRu: nonEmpty.optional(),
  payer: z.strictObject({
    bin: z.string().regex(/^\d{12}$/, 'must be 12 digits'),
    name: nonEmpty,
    kod: z.string().regex(/^\d{2}$/, 'must be 2 digits'),
  }),
  fee: feeAmountWireSchema,
  pricedWith: z.strictObject({ fee: nonEmpty, mrp: nonEmpty.optional() }).optional(),
  budget: budgetDetailsSchema.optional(),
  quote: quoteSchema,
  dueMicroUsd: uintString,
  paidMicroUsd: uintString,
  overpaidMicroUsd: uintString,
  exception: z.enum(['none', 'overpaid', 'late']),
  payments: z.array(paymentSchema).min(1, 'a receipt records at least one payment').max(1_000),
  paidAt: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  kind: z.literal('annulment').optional(),
  annuls: nonEmpty.optional(),
  reason: nonEmpty.optional(),
  prevHash: hash32,
};

/** The Kazakh and Russian titles come together, with the English one. */
const titlesRule = (f: { feeTitle?: string; feeTitleKk?: string; feeTitleRu?: string }) =>
  (f.feeTitleKk === undefined) === (f.feeTitleRu === undefined) &&
  (f.feeTitleKk === undefined || f.feeTitle !== undefined);
const titlesRuleMessage = { message: 'feeTitleKk and feeTitleRu come together, with feeTitle', path: ['feeTitleKk'] };

/** An annulment names what it annuls and why; a receipt carries neither. */
const annulmentRule = (f: { kind?: string; annuls?: string; reason?: string }) =>
  f.kind === 'annulment' ? Boolean(f.annuls && f.reason) : f.annuls === undefined && f.reason === undefined;
const annulmentRuleMessage = { message: 'an annulment names annuls and reason; a receipt has neither', path: ['kind'] };

/** zod schema of the fields a receipt is signed over. */
export const receiptFieldsSchema = z
  .strictObject(receiptFieldsShape)
  .refine(annulmentRule, annulmentRuleMessage)
  .refine(titlesRule, titlesRuleMessage);

/** zod schema of a whole wire receipt (the typed data's content is checked by {@link verifyReceipt}). */
export const receiptSchema = z
  .strictObject({
    ...receiptFieldsShape,
    hash: hash32,
    signature: z
      .string()
      .regex(/^0x[0-9a-f]{128}(1b|1c)$/, 'must be lower-case 0x + 65 bytes r||s||v with v 27 (1b) or 28 (1c)'),
    signer: checksummedAddress,
    typedData: z.strictObject({
      domain: z.record(z.string(), z.unknown()),
      types: z.record(z.string(), z.array(z.strictObject({ name: z.string(), type: z.string() }))),
      primaryType: z.string(),
      message: z.record(z.string(), z.unknown()),
    }),
  })
  .refine(annulmentRule, annulmentRuleMessage)
  .refine(titlesRule, titlesRuleMessage);

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.') || 'receipt';
    if (i.code === 'unrecognized_keys')
      return `${path}: unknown field(s) ${i.keys.join(', ')} (not covered by the signature)`;
    return `${path}: ${i.message}`;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Typed data

/**
 * The EIP-712 typed data of a receipt's fields. `fee` is signed as `feeCurrency` (`USD`, `KZT` or `MRP`) and
 * `feeAmount` (the wire value as is: minor units for USD/KZT, the MRP count such as "1.5" for MRP).
 * The result is plain JSON (strings and arrays only) and fresh on every call.
 */
export function receiptTypedData(fields: ReceiptFields): ReceiptTypedData {
  const fee = fields.fee;
  const message = {
    receiptNo: fields.receiptNo,
    receiptId: fields.receiptId,
    invoiceId: fields.invoiceId,
    ministry: fields.ministry,
    feeCode: fields.feeCode,
    feeTitle: fields.feeTitle ?? '',
    ...(fields.feeTitleKk !== undefined ? { feeTitleKk: fields.feeTitleKk, feeTitleRu: fields.feeTitleRu ?? '' } : {}),
    payerBin: fields.payer.bin,
    payerName: fields.payer.name,
    payerKod: fields.payer.kod,
    feeCurrency: 'mrp' in fee ? 'MRP' : fee.currency,
    feeAmount: 'mrp' in fee ? fee.mrp : fee.minor,
    ...(fields.pricedWith ? { feeVersion: fields.pricedWith.fee, mrpVersion: fields.pricedWith.mrp ?? '' } : {}),
    budgetKbk: fields.budget?.kbk ?? '',
    budgetKnp: fields.budget?.knp ?? '',
    budgetKbe: fields.budget?.kbe ?? '',
    budgetBeneficiaryBin: fields.budget?.beneficiaryBin ?? '',
    quoteSource: fields.quote.source,
    quotePair: fields.quote.pair ?? '',
    quoteRate: fields.quote.rate ?? '',
    quoteRateDate: fields.quote.rateDate ?? '',
    quoteMrpKzt: fields.quote.mrpKzt ?? '',
    quoteKztMinor: fields.quote.kztMinor ?? '',
    dueMicroUsd: fields.dueMicroUsd,
    paidMicroUsd: fields.paidMicroUsd,
    overpaidMicroUsd: fields.overpaidMicroUsd,
    exception: fields.exception,
    payments: fields.payments.map((p) => ({
      chainId: String(p.chainId),
      token: p.token,
      txHash: p.txHash,
      logIndex: String(p.logIndex),
      blockNumber: String(p.blockNumber),
      amount: p.amount,
      decimals: String(p.decimals),
      microUsd: p.microUsd,
    })),
    paidAt: fields.paidAt,
    issuedAt: fields.issuedAt,
    prevHash: fields.prevHash,
  };
  const payment = RECEIPT_TYPES.Payment.map((f) => ({ ...f }));
  const receiptType = receiptTypeOf(fields);
  if (fields.kind === 'annulment') {
    return {
      domain: { ...RECEIPT_DOMAIN },
      types: { Annulment: [...receiptType, ...ANNULMENT_FIELDS.map((f) => ({ ...f }))], Payment: payment },
      primaryType: 'Annulment',
      message: { ...message, annuls: fields.annuls ?? '', reason: fields.reason ?? '' },
    };
  }
  return {
    domain: { ...RECEIPT_DOMAIN },
    types: { Receipt: receiptType, Payment: payment },
    primaryType: 'Receipt',
    message,
  };
}

/** The fee's Kazakh and Russian titles, signed after `feeTitle` when the receipt carries them. */
const STATE_LANGUAGE_TITLE_FIELDS: readonly TypedDataField[] = Object.freeze([
  { name: 'feeTitleKk', type: 'string' },
  { name: 'feeTitleRu', type: 'string' },
]);

/** The reference-data versions the invoice was priced with, signed after `feeAmount` when the receipt carries them. */
const PRICED_WITH_FIELDS: readonly TypedDataField[] = Object.freeze([
  { name: 'feeVersion', type: 'string' },
  { name: 'mrpVersion', type: 'string' },
]);

/**
 * The `Receipt` type a receipt's fields are signed over. Fields added after the first receipts were signed are in
 * the type only when the receipt carries them, so a receipt signed before keeps its type (and verifies) and one
 * carrying them is signed over a different type string (so the two never share a digest, and stripping the fields
 * from a new receipt breaks its signature):
 * - `feeTitleKk`, `feeTitleRu` after `feeTitle`, with the state-language titles;
 * - `feeVersion`, `mrpVersion` after `feeAmount`, with `pricedWith` (`mrpVersion` empty for a fee not in MRP).
 */
export function receiptTypeOf(fields: Pick<ReceiptFields, 'feeTitleKk' | 'pricedWith'>): TypedDataField[] {
  return RECEIPT_TYPES.Receipt.flatMap((f) => {
    if (f.name === 'feeTitle' && fields.feeTitleKk !== undefined) return [f, ...STATE_LANGUAGE_TITLE_FIELDS];
    if (f.name === 'feeAmount' && fields.pricedWith !== undefined) return [f, ...PRICED_WITH_FIELDS];
    return [f];
  }).map((f) => ({ ...f }));
}

/** The EIP-712 digest of a typed document. */
export function typedDocumentHash(doc: TypedDocument): string {
  return TypedDataEncoder.hash(doc.domain, doc.types, doc.message);
}

// ---------------------------------------------------------------------------------------------------------------
// Generic signing of typed documents (receipts here, export manifests later)

/** What signing a typed document yields. */
export interface DocumentSignature {
  /** EIP-712 digest (lower-case 0x + 64 hex). */
  hash: string;
  /** 65-byte r||s||v, v 27/28. */
  signature: string;
  /** EIP-55 address of the signer. */
  signer: string;
}

export type VerifyResult = { ok: true } | { ok: false; problems: string[] };

/**
 * Signs the EIP-712 digest of `doc` with `signer`. The signature is not verified again here: the port promises a
 * signature that recovers `signer.address()` (shared/ports.ts `ReceiptSigner`), which a local key holds by
 * construction and the KMS adapter checks by recovering the address when it turns KMS's DER answer into an Ethereum
 * signature. A second full verification cost more CPU than the signing; verifiers ({@link verifyReceipt},
 * {@link verifyTypedDocument}) recover the signer from the document itself.
 */
export async function signTypedDocument(doc: TypedDocument, signer: ReceiptSigner): Promise<DocumentSignature> {
  const hash = typedDocumentHash(doc);
  const [address, raw] = await Promise.all([signer.address(), signer.signDigest(hash)]);
  return { hash, signature: raw.toLowerCase(), signer: getAddress(address) };
}

/**
 * Verifies a signed typed document: `primaryType` is the one its types imply, the digest equals `signed.hash`, and
 * the signature recovers `signed.signer` (and `expectedSigner` when given).
 */
export function verifyTypedDocument(
  doc: TypedDocument,
  signed: DocumentSignature,
  expectedSigner?: string,
): VerifyResult {
  const problems: string[] = [];
  let hash: string;
  try {
    const primaryType = TypedDataEncoder.getPrimaryType(doc.types);
    if (primaryType !== doc.primaryType) problems.push(`primaryType is ${doc.primaryType}, types imply ${primaryType}`);
    hash = typedDocumentHash(doc);
  } catch (error) {
    return { ok: false, problems: [`typed data cannot be encoded: ${errorMessage(error)}`] };
  }
  if (hash !== String(signed.hash).toLowerCase()) problems.push(`hash does not match fields (fields hash to ${hash})`);
  let recovered: string | undefined;
  try {
    // The digest just computed, not a second encoding of the typed data (verifyTypedData would hash it again).
    recovered = recoverAddress(hash, signed.signature);
  } catch (error) {
    problems.push(`signature is malformed: ${errorMessage(error)}`);
  }
  const claimed = safeAddress(signed.signer);
  if (recovered !== undefined && recovered !== claimed) {
    problems.push(`signature recovers ${recovered}, not ${signed.signer}`);
  }
  if (expectedSigner !== undefined && claimed !== safeAddress(expectedSigner)) {
    problems.push(`signer is ${signed.signer}, not the expected ${expectedSigner}`);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function safeAddress(text: string): string {
  try {
    return getAddress(text);
  } catch {
    return text;
  }
}

function errorMessage(error: unknown): string {
  const e = error as { shortMessage?: unknown; message?: unknown };
  return String(e?.shortMessage ?? e?.message ?? error);
}

// ---------------------------------------------------------------------------------------------------------------
// Receipts

/** Puts the fields the issuer may hand over in another spelling into the canonical form the schema requires. */
function canonicalFields(fields: ReceiptFields): ReceiptFields {
  return {
    ...fields,
    payments: fields.payments.map((p) => ({ ...p, token: getAddress(p.token), txHash: p.txHash.toLowerCase() })),
    prevHash: fields.prevHash.toLowerCase(),
  };
}

/**
 * Builds and signs a receipt: canonicalises token addresses (EIP-55) and hashes (lower case), validates the fields
 * against the wire schema, computes the typed data and its digest, and asks `signer` to sign the digest.
 *
 * @param prevHash `hash` of this ministry's receipt `receiptNo - 1`, or {@link GENESIS_PREV_HASH} for receipt 1.
 * @throws Error listing the invalid fields (a programming error upstream, not a caller's input).
 */
export async function buildReceipt(
  unsigned: UnsignedReceipt,
  prevHash: string,
  signer: ReceiptSigner,
): Promise<Receipt> {
  const fields = canonicalFields({ ...unsigned, prevHash });
  const parsed = receiptFieldsSchema.safeParse(fields);
  if (!parsed.success) throw new Error(`receipt fields are invalid: ${issuesOf(parsed.error).join('; ')}`);
  const typedData = receiptTypedData(fields);
  const signed = await signTypedDocument(typedData, signer);
  return { ...fields, hash: signed.hash, signature: signed.signature, signer: signed.signer, typedData };
}

/**
 * Verifies one receipt offline, trusting nothing embedded: checks the wire schema, recomputes the typed data from
 * the receipt's own fields, requires the embedded `typedData` to equal it, checks `hash`, and recovers the signer
 * from `signature` (compared to `receipt.signer` and to `expectedSigner` when given, e.g. the address
 * `GET /v1/health` publishes). Problems are human-readable sentences.
 */
export function verifyReceipt(receipt: Receipt, expectedSigner?: string): VerifyResult {
  const parsed = receiptSchema.safeParse(receipt);
  if (!parsed.success) return { ok: false, problems: issuesOf(parsed.error) };
  const { hash, signature, signer, typedData, ...fields } = receipt;
  const recomputed = receiptTypedData(fields);
  const problems: string[] = [];
  const diff = firstDifference(recomputed, typedData, 'typedData');
  if (diff) problems.push(`typedData differs from fields at ${diff}`);
  const result = verifyTypedDocument(recomputed, { hash, signature, signer }, expectedSigner);
  if (!result.ok) problems.push(...result.problems);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** The path of the first difference between two JSON values (key order of objects ignored), or undefined. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return path;
    if (a.length !== b.length) return `${path} (length ${b.length}, fields give ${a.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      if (!(key in ao) || !(key in bo)) return `${path}.${key}`;
      const d = firstDifference(ao[key], bo[key], `${path}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return path;
}

/** Where a ministry's chain segment starts when the receipts given do not begin at receipt 1. */
export interface ChainAnchor {
  /** The receiptNo of the receipt just before the segment. */
  receiptNo: string;
  /** Its hash. */
  hash: string;
}

/**
 * Verifies each ministry's chain: every receipt verifies on its own (see {@link verifyReceipt}); sorted by
 * receiptNo (the input order does not matter), the numbers run 1..n without gaps or repeats, and each `prevHash`
 * is the previous receipt's `hash` (receipt 1's is {@link GENESIS_PREV_HASH}). For each ministry the first break
 * is named ("AFSA receipt 3: prevHash does not link to receipt 2", "AFSA: receipt 4 missing"); what follows a
 * break is not checked for links, since it cannot link to what is missing.
 *
 * A segment (an export period) starts after `anchors[ministry]` instead of at receipt 1. The chain alone cannot
 * show that its newest receipts were dropped: compare the last receiptNo and hash with a published head (an export
 * manifest's) for that.
 *
 * @returns the problems; empty when every chain holds.
 */
export function verifyReceiptChain(
  receipts: readonly Receipt[],
  opts: { expectedSigner?: string; anchors?: Readonly<Record<string, ChainAnchor>> } = {},
): string[] {
  const problems: string[] = [];
  const byMinistry = new Map<string, { no: bigint; receipt: Receipt }[]>();
  receipts.forEach((receipt, i) => {
    const label =
      typeof receipt?.ministry === 'string' && typeof receipt?.receiptNo === 'string'
        ? `${receipt.ministry} receipt ${receipt.receiptNo}`
        : `receipt at index ${i}`;
    const result = verifyReceipt(receipt, opts.expectedSigner);
    if (!result.ok) problems.push(...result.problems.map((p) => `${label}: ${p}`));
    const no = /^(0|[1-9]\d*)$/.test(String(receipt?.receiptNo)) ? BigInt(receipt.receiptNo) : undefined;
    if (no === undefined || typeof receipt.ministry !== 'string') return; // already reported as malformed
    const list = byMinistry.get(receipt.ministry) ?? [];
    list.push({ no, receipt });
    byMinistry.set(receipt.ministry, list);
  });
  for (const [ministry, list] of [...byMinistry].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((x, y) => (x.no < y.no ? -1 : x.no > y.no ? 1 : 0));
    const anchor = opts.anchors?.[ministry];
    let expectedNo = anchor ? BigInt(anchor.receiptNo) + 1n : 1n;
    let expectedPrev = anchor ? anchor.hash.toLowerCase() : GENESIS_PREV_HASH;
    let walked = 0;
    for (const { no, receipt } of list) {
      if (no < expectedNo) {
        problems.push(
          walked > 0
            ? `${ministry}: receipt ${no} appears more than once`
            : `${ministry}: receipt ${no} precedes the segment's start (expected ${expectedNo})`,
        );
        break;
      }
      if (no > expectedNo) {
        problems.push(
          no === expectedNo + 1n
            ? `${ministry}: receipt ${expectedNo} missing`
            : `${ministry}: receipts ${expectedNo}..${no - 1n} missing`,
        );
        break;
      }
      if (receipt.prevHash.toLowerCase() !== expectedPrev) {
        problems.push(
          no === 1n
            ? `${ministry} receipt 1: prevHash is not the genesis hash`
            : `${ministry} receipt ${no}: prevHash does not link to receipt ${no - 1n}`,
        );
        break;
      }
      walked++;
      expectedNo = no + 1n;
      expectedPrev = receipt.hash.toLowerCase();
    }
  }
  return problems;
}
