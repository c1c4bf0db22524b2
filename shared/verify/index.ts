/**
 * The verifier of exports and receipts, one code for the `stablefee` command (tools/verify-export.ts) and the
 * console (console/src/screens/auditor): pure, no Node built-in, no AWS, no adapter (biome.json, shared/verify).
 */
export { type ExportFiles, exportFilesOf, verifyExport } from './export';
export { NO_EXPECTED_SIGNER, type ReceiptReport, receiptFromJson, verifyReceiptText } from './receipt';
export {
  type CheckId,
  type CheckStatus,
  EXPORT_CHECKS,
  type ExportCheckId,
  RECEIPT_CHECKS,
  type ReceiptCheckId,
  type VerifyCheck,
  type VerifyReport,
} from './report';
