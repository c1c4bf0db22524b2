/**
 * Streaming: rows → csv-stringify → SHA-256 and byte count → a byte sink (S3 multipart upload in the service). Each
 * stage pulls from the one before with backpressure, so memory holds one store page, the stringifier's buffer and
 * at most one upload part, whatever the row count.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { stringify } from 'csv-stringify';

/** Where a file's bytes go. `write` resolves when the chunk may be reused (backpressure). */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  /** All bytes written: make the object visible. */
  end(): Promise<void>;
  /** Something failed: drop what was written. */
  abort(): Promise<void>;
}

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

/** S3's smallest part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * A sink uploading to `s3://bucket/key`: bytes are buffered up to `partBytes` (at least 5 MiB), then sent as one
 * `UploadPart` of a multipart upload, so at most one part is held in memory. An object that never fills one part is
 * sent with a single `PutObject`. `abort` aborts the multipart upload so no orphaned parts are billed.
 */
export function s3Sink(
  client: Pick<S3Client, 'send'>,
  target: { bucket: string; key: string; contentType: string; partBytes?: number },
): ByteSink {
  const partBytes = Math.max(target.partBytes ?? MIN_PART_BYTES, MIN_PART_BYTES);
  const { bucket: Bucket, key: Key, contentType: ContentType } = target;
  const ContentDisposition = `attachment; filename="${Key.split('/').pop()}"`;
  let chunks: Buffer[] = [];
  let buffered = 0;
  let uploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];

  async function flushPart() {
    if (!uploadId) {
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket, Key, ContentType, ContentDisposition }),
      );
      if (!created.UploadId) throw new Error(`S3 returned no upload id for ${Key}`);
      uploadId = created.UploadId;
    }
    const Body = Buffer.concat(chunks, buffered);
    chunks = [];
    buffered = 0;
    const PartNumber = parts.length + 1;
    const out = await client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body }));
    if (!out.ETag) throw new Error(`S3 returned no ETag for part ${PartNumber} of ${Key}`);
    parts.push({ PartNumber, ETag: out.ETag });
  }

  return {
    async write(chunk) {
      chunks.push(Buffer.from(chunk));
      buffered += chunk.length;
      if (buffered >= partBytes) await flushPart();
    },
    async end() {
      if (!uploadId) {
        await client.send(
          new PutObjectCommand({ Bucket, Key, ContentType, ContentDisposition, Body: Buffer.concat(chunks, buffered) }),
        );
        chunks = [];
        buffered = 0;
        return;
      }
      if (buffered > 0) await flushPart();
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    },
    async abort() {
      chunks = [];
      buffered = 0;
      if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }));
    },
  };
}

/** A sink that keeps nothing (memory measurements, dry runs). */
export function nullSink(): ByteSink {
  return { async write() {}, async end() {}, async abort() {} };
}

/** A sink collecting the bytes in memory (small tests). */
export function memorySink(): ByteSink & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    async write(chunk) {
      chunks.push(Buffer.from(chunk));
    },
    async end() {},
    async abort() {
      chunks.length = 0;
    },
    bytes: () => Buffer.concat(chunks),
  };
}

/** A sink writing to a local file (tests, local dry runs); `abort` removes it. */
export function fileSink(path: string): ByteSink {
  let handle: FileHandle | undefined;
  return {
    async write(chunk) {
      handle ??= await open(path, 'w');
      await handle.write(chunk);
    },
    async end() {
      handle ??= await open(path, 'w');
      await handle.close();
    },
    async abort() {
      await handle?.close().catch(() => {});
      await rm(path, { force: true });
    },
  };
}
