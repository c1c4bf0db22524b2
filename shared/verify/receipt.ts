/**
 * Offline verification of one receipt: its form, its fields against its typed data, its EIP-712 signature, and its
 * signer against the published one. Pure, so the `stablefee verify-receipt` command and the console run it alike.
 */
import { type Receipt, type ReceiptFields, receiptTypedData, verifyReceipt } from '../domain/receipts';
import { RECEIPT_CHECKS, Verification, type VerifyReport } from './report';

/**
 * The problem reported when no expected signer is given: a signature only proves that someone signed, so a forged
 * document re-signed with any key would verify against the signer it names. Verifiers fail closed.
 */
export const NO_EXPECTED_SIGNER =
  'no expected signer given: pass --signer 0x… or --api https://… (the signer GET /v1/health publishes); ' +
  'a signature checked only against the signer the document names proves nothing';

/** Rebuilds a receipt from a `receipt_json` cell: the signed fields, with `typedData` derived from them. */
export function receiptFromJson(json: string): Receipt {
  const parsed: unknown = JSON.parse(json);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('not a JSON object');
  const object = parsed as Record<string, unknown>;
  if ('typedData' in object) return object as unknown as Receipt;
  const { hash: _h, signature: _s, signer: _g, ...fields } = object;
  return { ...(object as unknown as Receipt), typedData: receiptTypedData(fields as unknown as ReceiptFields) };
}

/** A receipt's verdict, with the receipt as read (when it was one) for showing its facts. */
export interface ReceiptReport extends VerifyReport {
  receipt?: Receipt;
}

/**
 * Verifies one receipt given as JSON text: a receipt as `GET /v1/receipts/{id}` or `GET /v1/pay/{id}/receipt`
 * answers it (the `delivery` field the API adds beside the signed document is dropped), a bare signed receipt, or a
 * `receipt_json` cell. `source` names the text in problems (the file's path, say).
 */
export function verifyReceiptText(
  text: string,
  options: { expectedSigner?: string; source?: string } = {},
): ReceiptReport {
  const source = options.source ?? 'the receipt';
  const found = new Verification(RECEIPT_CHECKS);
  const form = found.check('receipt-form');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    form.problems.push(`${source} is not readable JSON (${(error as Error).message})`);
    return found.report();
  }
  if (!parsed || typeof parsed !== 'object') {
    form.problems.push(`${source} is not a receipt`);
    return found.report();
  }
  const { delivery: _delivery, ...signed } = parsed as Record<string, unknown>;
  const receipt = 'typedData' in signed ? (signed as unknown as Receipt) : receiptFromJson(JSON.stringify(signed));
  const { problems, notes } = found.check('receipt-signature');
  if (!options.expectedSigner) problems.push(NO_EXPECTED_SIGNER);
  const result = verifyReceipt(receipt, options.expectedSigner);
  if (!result.ok) problems.push(...result.problems);
  else if (options.expectedSigner) {
    notes.push(`${receipt.ministry} receipt ${receipt.receiptNo} signed by ${receipt.signer}, the expected signer`);
  }
  return { ...found.report(), receipt };
}
