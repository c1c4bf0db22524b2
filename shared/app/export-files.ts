/**
 * How an export file is written: rows → csv-stringify → SHA-256 and byte count → a byte sink (the ByteSink port: an S3
 * multipart upload in the service, memory or a file in tests and the CLI). Each stage pulls from the one before with
 * backpressure, so memory holds one store page, the stringifier's buffer and at most one upload part per open file,
 * whatever the row count. A segment keeps one part per CSV open ({@link CsvPart}), so at most ten parts' buffers.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { ByteSink } from '../ports';

/** What was written: the file's hash, data rows and bytes, as the manifest lists them. */
export interface WrittenFile {
  sha256: string;
  rows: number;
  bytes: number;
}

/**
 * csv-stringify options of every export CSV: RFC 4180 quoting, `\n` records. A file starts with a UTF-8 BOM (so
 * spreadsheets read Cyrillic names) and its header line.
 */
const CSV_OPTIONS = { quoted: true, record_delimiter: 'unix' } as const;

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

/**
 * One part file of an export CSV, written in pieces: each {@link CsvPart.append} streams rows through csv-stringify
 * into the same sink (so a segment writes a part day by day), and the sink is opened on the first row, or by
 * {@link CsvPart.end} with `evenIfEmpty` (a header-only file). The bytes are those csv-stringify writes for the
 * same rows at once (BOM, header, RFC 4180 quoting), however they are split into appends.
 */
export class CsvPart {
  readonly #header: readonly string[];
  readonly #open: () => ByteSink;
  #sink: ByteSink | undefined;
  readonly #hash = createHash('sha256');
  #bytes = 0;
  #rows = 0;

  constructor(header: readonly string[], open: () => ByteSink) {
    this.#header = header;
    this.#open = open;
  }

  /** Whether the part has a file (it has had a row, or was ended `evenIfEmpty`). */
  get opened(): boolean {
    return this.#sink !== undefined;
  }

  /** Streams `rows` into the part, pulling one at a time; opens the file on the first. */
  async append(rows: AsyncIterable<readonly string[]>): Promise<void> {
    const iterator = rows[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return;
    const sink = await this.#opened();
    const counted = async function* (this: CsvPart) {
      this.#rows++;
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        this.#rows++;
        yield next.value;
      }
    }.call(this);
    await pipeline(Readable.from(counted), stringify(CSV_OPTIONS), (source) => this.#send(sink, source));
  }

  /** Completes the file; undefined when it never opened (unless `evenIfEmpty`: then a header-only file). */
  async end(evenIfEmpty = false): Promise<WrittenFile | undefined> {
    if (!this.#sink && !evenIfEmpty) return undefined;
    const sink = await this.#opened();
    await sink.end();
    return { sha256: this.#hash.digest('hex'), rows: this.#rows, bytes: this.#bytes };
  }

  /** Aborts the file's upload, if it began. */
  async abort(): Promise<void> {
    await this.#sink?.abort().catch(() => {});
  }

  async #opened(): Promise<ByteSink> {
    if (this.#sink) return this.#sink;
    const sink = this.#open();
    this.#sink = sink;
    const head = stringifySync([[...this.#header]], CSV_OPTIONS);
    await this.#send(sink, [Buffer.from(`\uFEFF${head}`, 'utf8')]);
    return sink;
  }

  async #send(sink: ByteSink, source: AsyncIterable<Buffer | string> | Iterable<Buffer>): Promise<void> {
    for await (const chunk of source) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.#hash.update(buffer);
      this.#bytes += buffer.length;
      await sink.write(buffer);
    }
  }
}
