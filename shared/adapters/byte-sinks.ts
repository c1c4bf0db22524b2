/**
 * Byte sinks besides S3 (aws/s3-objects.ts): nothing, memory, a local file — for measurements, tests and the CLI.
 * The export files written into them: shared/app/export-files.ts.
 */
import { type FileHandle, open, rm } from 'node:fs/promises';
import type { ByteSink } from '../ports';

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
