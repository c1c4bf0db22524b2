/**
 * Reading an export's CSV files back, with csv-parse (the sibling of the csv-stringify that wrote them,
 * shared/app/export-files.ts): RFC 4180 with strict quoting — a quote inside an unquoted field, text after a
 * closing quote or a quote never closed is an error, never a guess —, the UTF-8 BOM dropped, blank lines skipped,
 * and records of any length (the verifier reports a wrong cell count row by row).
 */
import type { Readable } from 'node:stream';
import { type Options, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

const options: Options = { bom: true, skip_empty_lines: true, relax_column_count: true };

/** The records of the CSV `source` streams, as they are read; fails with a `CsvError` where the text breaks the format. */
export function csvRecords(source: Readable): AsyncIterable<string[]> {
  const parser = parse(options);
  source.on('error', (error) => parser.destroy(error));
  return source.pipe(parser);
}

/** The records of a whole CSV text; throws a `CsvError` where it breaks the format. */
export const parseCsv = (text: string | Buffer): string[][] => parseSync(text, options);
