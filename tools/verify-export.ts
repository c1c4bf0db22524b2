/**
 * The `stablefee verify-export` and `verify-receipt` commands' reading of files: the checks themselves are the pure
 * verifier in shared/verify (the console runs the same code in the browser), here given the files on disk.
 *
 * An export passes when: manifest.json is canonical JSON signed (EIP-712) by the expected signer; every CSV has
 * the documented header and the SHA-256, byte count and row count the manifest lists; the totals, trial balance
 * and receipt chain segments recomputed from the rows equal the manifest's; every journal entry balances and
 * debits = credits; every receipt row rebuilds from its `receipt_json` into a receipt whose signature verifies,
 * whose display cells match, and whose chain links from the manifest's anchor to its head without gaps; and the
 * receipts agree with the paid invoices (amounts per invoice, and receipts.csv's total against theirs); sweeps and
 * refunds agree with their journal entries, and every approved refund shows two different people (four eyes).
 * Every failed check is a sentence naming the file, row or receipt at fault.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ExportFiles,
  NO_EXPECTED_SIGNER,
  receiptFromJson,
  verifyExport,
  verifyReceiptText,
} from '../shared/verify';
import type { VerifyReport } from '../shared/verify/report';

export { NO_EXPECTED_SIGNER, receiptFromJson, type VerifyReport };

/** The files of the export in `dir`, each read when the verifier asks for it (one file in memory at a time). */
function filesIn(dir: string): ExportFiles {
  return {
    read: async (name) => {
      try {
        return await readFile(join(dir, name));
      } catch {
        return undefined;
      }
    },
  };
}

/** Verifies the export in `dir` (the CSVs and manifest.json as downloaded). */
export function verifyExportDir(dir: string, options: { expectedSigner?: string } = {}): Promise<VerifyReport> {
  return verifyExport(filesIn(dir), options);
}

/**
 * Verifies one receipt file: a receipt as `GET /v1/receipts/{id}` or `GET /v1/pay/{id}/receipt` answers it (the
 * `delivery` field the API adds beside the signed document is dropped), or a `receipt_json` cell.
 */
export async function verifyReceiptFile(
  path: string,
  options: { expectedSigner?: string } = {},
): Promise<VerifyReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [`${path} is not readable JSON (${(error as Error).message})`],
      notes: [],
      checks: [],
    };
  }
  const { receipt: _receipt, ...report } = verifyReceiptText(text, { ...options, source: path });
  return report;
}
