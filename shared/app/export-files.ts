/**
 * How an export file is written: rows → csv-stringify → SHA-256 and byte count → a byte sink (the ByteSink port: an S3
 * multipart upload in the service, memory or a file in tests and the CLI). Each stage pulls from the one before with
 * backpressure, so memory holds one store page, the stringifier's buffer and at most one upload part, whatever the
 * row count.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { ByteSink } from '../ports';

/** What was written: the file's hash, data rows and bytes, as the manifest lists them. */
export interface WrittenFile {
  sha256: string;
  rows: number;
  bytes: number;
}

/** csv-stringify options of every export CSV: UTF-8 BOM (so spreadsheets read Cyrillic names), RFC 4180 quoting. */
const CSV_OPTIONS = { header: true, bom: true, quoted: true, record_delimiter: 'unix' } as const;

/**
 * Writes `rows` as CSV under `header` to `sink`, hashing as it goes. Rows are pulled one at a time; the sink is
 * aborted on any failure.
 */
export async function writeCsv(
  header: readonly string[],
  rows: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  sink: ByteSink,
): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  let count = 0;
  async function* counted() {
    for await (const row of rows) {
      count++;
      yield row;
    }
  }
  try {
    await pipeline(
      Readable.from(counted()),
      stringify({ ...CSV_OPTIONS, columns: [...header] }),
      async (source: AsyncIterable<Buffer | string>) => {
        for await (const chunk of source) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
          hash.update(buffer);
          bytes += buffer.length;
          await sink.write(buffer);
        }
      },
    );
    await sink.end();
  } catch (error) {
    await sink.abort().catch(() => {});
    throw error;
  }
  return { sha256: hash.digest('hex'), rows: count, bytes };
}

/** Writes one buffer (manifest.json) to a sink. */
export async function writeBytes(data: Buffer, sink: ByteSink): Promise<WrittenFile> {
  try {
    await sink.write(data);
    await sink.end();
  } catch (error) {
    await sink.abort().catch(() => {});
    throw error;
  }
  return { sha256: createHash('sha256').update(data).digest('hex'), rows: 0, bytes: data.length };
}
