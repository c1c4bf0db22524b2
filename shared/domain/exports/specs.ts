/**
 * Every export CSV's spec by its file name: the export writer (shared/app/export-segment.ts) and the offline verifier
 * (shared/verify/export.ts) read the same one, so a column added to a file is written and checked alike.
 */
import {
  type CsvSpec,
  complianceCsv,
  type ExportCsvName,
  invoicesCsv,
  journalCsv,
  receiptsCsv,
  refundsCsv,
  sweepsCsv,
  transfersCsv,
} from './columns';
import { bankCsv, reconciliationCsv, settlementsCsv } from './settlement-columns';

/** The spec of each export CSV, by its name (rows typed per file where they are built; `never` here). */
export const EXPORT_CSV_SPECS: Readonly<Record<ExportCsvName, CsvSpec<never>>> = {
  'invoices.csv': invoicesCsv as CsvSpec<never>,
  'transfers.csv': transfersCsv as CsvSpec<never>,
  'receipts.csv': receiptsCsv as CsvSpec<never>,
  'journal.csv': journalCsv as CsvSpec<never>,
  'sweeps.csv': sweepsCsv as CsvSpec<never>,
  'refunds.csv': refundsCsv as CsvSpec<never>,
  'settlements.csv': settlementsCsv as CsvSpec<never>,
  'bank.csv': bankCsv as CsvSpec<never>,
  'reconciliation.csv': reconciliationCsv as CsvSpec<never>,
  'compliance.csv': complianceCsv as CsvSpec<never>,
};
