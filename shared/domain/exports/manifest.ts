/**
 * The export manifest: what the export holds (period, files with SHA-256, row counts, totals, the journal's trial
 * balance, the receipt chain segments) and an EIP-712 signature by the service's receipt key.
 *
 * Signing: `manifestHash` = keccak256 of the canonical JSON (keys sorted at every level, no whitespace) of the
 * manifest without `signature`; the signed EIP-712 message is
 * `ExportManifest {exportId, periodFrom, periodTo, ministry, generatedAt, manifestHash}` in the domain
 * `{name: "stablefee exports", version: "1"}`. Every field of the manifest (signer included) is covered through
 * `manifestHash`; the period and time are repeated in clear so a wallet shows what it signs. The file itself is the
 * canonical JSON rendered with 2-space indentation, so a changed byte either breaks the JSON, changes a signed
 * value, or leaves a file that is not in canonical form: all three are refused.
 */
import { keccak256, type TypedDataField, toUtf8Bytes } from 'ethers';
import type { ReceiptSigner } from '../../ports';
import {
  type DocumentSignature,
  signTypedDocument,
  type TypedDocument,
  typedDocumentHash,
  type VerifyResult,
  verifyTypedDocument,
} from '../receipts';
import type { ExportCsvName } from './columns';
import type { ExportTotals, ReceiptChainSegment, TrialBalance } from './totals';

/**
 * The manifest's format. Version 2 (exports continued across invocations): a CSV may be written as several part
 * files, each listed with the `kind` (the CSV) it belongs to; version 1 listed each CSV once, under its own name.
 * The verifier reads both.
 */
export const MANIFEST_FORMAT = 'stablefee-export/2';
/** The single-file format of exports made before parts (still verified). */
export const MANIFEST_FORMAT_V1 = 'stablefee-export/1';

export interface ManifestFile {
  /** The object's name under the export's prefix: `invoices.csv`, or a later segment's part `invoices.part0002.csv`. */
  name: string;
  /** The CSV this part belongs to (format 2; absent from manifest.json's own entry and from format 1). */
  kind?: ExportCsvName;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  /** Data rows (the header not counted). */
  rows: number;
  bytes: number;
}

export interface ExportManifest {
  format: typeof MANIFEST_FORMAT | typeof MANIFEST_FORMAT_V1;
  exportId: string;
  /** Half-open: records with their time in [from, to). ISO-8601 UTC with milliseconds. */
  period: { from: string; to: string };
  /** The one ministry exported, or null for all. */
  ministry: string | null;
  generatedAt: string;
  files: ManifestFile[];
  totals: ExportTotals;
  trialBalance: TrialBalance;
  receiptChains: Record<string, ReceiptChainSegment>;
  /** Per chain id, the chain scanner's checkpoint block that `confirmations` in transfers.csv count to. */
  confirmationsAsOf: Record<string, number>;
  /** EIP-55 address of the signing key (the one `GET /v1/health` publishes). */
  signer: string;
  /** 65-byte r||s||v over the EIP-712 digest of {@link manifestTypedData}. */
  signature: string;
}

export type UnsignedManifest = Omit<ExportManifest, 'signer' | 'signature'>;

export const MANIFEST_DOMAIN = Object.freeze({ name: 'stablefee exports', version: '1' });

export const MANIFEST_TYPES: Readonly<Record<'ExportManifest', readonly TypedDataField[]>> = Object.freeze({
  ExportManifest: [
    { name: 'exportId', type: 'string' },
    { name: 'periodFrom', type: 'string' },
    { name: 'periodTo', type: 'string' },
    { name: 'ministry', type: 'string' },
    { name: 'generatedAt', type: 'string' },
    { name: 'manifestHash', type: 'bytes32' },
  ],
});

/**
 * The name of `kind`'s part written by segment `segment` (1-based): the first segment's part keeps the CSV's own
 * name, so an export made in one invocation has exactly the files of format 1; later ones are numbered
 * (`invoices.part0002.csv`), so a redone segment overwrites its own parts and nothing else.
 */
export function partName(kind: ExportCsvName, segment: number): string {
  return segment === 1 ? kind : kind.replace(/\.csv$/, `.part${String(segment).padStart(4, '0')}.csv`);
}

/** JSON with object keys sorted at every level and no whitespace; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** keccak256 of the canonical JSON of the manifest without its signature. */
export function manifestHash(manifest: Omit<ExportManifest, 'signature'>): string {
  const { signature: _signature, ...rest } = manifest as ExportManifest;
  return keccak256(toUtf8Bytes(canonicalJson(rest)));
}

/** The EIP-712 document a manifest's signature is over. */
export function manifestTypedData(manifest: Omit<ExportManifest, 'signature'>): TypedDocument {
  return {
    domain: { ...MANIFEST_DOMAIN },
    types: { ExportManifest: MANIFEST_TYPES.ExportManifest.map((f) => ({ ...f })) },
    primaryType: 'ExportManifest',
    message: {
      exportId: manifest.exportId,
      periodFrom: manifest.period.from,
      periodTo: manifest.period.to,
      ministry: manifest.ministry ?? '',
      generatedAt: manifest.generatedAt,
      manifestHash: manifestHash(manifest),
    },
  };
}

/** Signs a manifest with the receipt key. */
export async function signManifest(unsigned: UnsignedManifest, signer: ReceiptSigner): Promise<ExportManifest> {
  const withSigner = { ...unsigned, signer: await signer.address() };
  const signed = await signTypedDocument(manifestTypedData(withSigner), signer);
  return { ...withSigner, signer: signed.signer, signature: signed.signature };
}

/** Checks a manifest's signature (and, when given, that the signer is the published one). */
export function verifyManifestSignature(manifest: ExportManifest, expectedSigner?: string): VerifyResult {
  let doc: TypedDocument;
  let hash: string;
  try {
    doc = manifestTypedData(manifest);
    hash = typedDocumentHash(doc);
  } catch (error) {
    return { ok: false, problems: [`manifest cannot be encoded: ${(error as Error).message}`] };
  }
  const signed: DocumentSignature = { hash, signature: manifest.signature, signer: manifest.signer };
  return verifyTypedDocument(doc, signed, expectedSigner);
}

/** The bytes of manifest.json: the canonical JSON, indented by 2 spaces, ending with a newline. */
export function renderManifest(manifest: ExportManifest): string {
  return `${JSON.stringify(sortKeys(manifest), null, 2)}\n`;
}
