/**
 * The exports bucket's objects: a byte sink uploading one file (multipart once it outgrows one part) and
 * time-limited download links (presigned GETs). Implements the ByteSink and DownloadLinks ports (shared/ports.ts).
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteSink, DownloadLinks, UploadArchive } from '../../ports';

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

/** Download links to objects of `bucket`, presigned with the function's own credentials (read access suffices). */
export function s3DownloadLinks(client: S3Client, bucket: string): DownloadLinks {
  return {
    urlFor: (key, expiresInSeconds) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds }),
  };
}

/**
 * The uploads bucket as the UploadArchive port: each document put whole (they are bounded to a few MB), with its
 * SHA-256 as S3's own integrity check, so a corrupted upload is refused by S3 rather than kept.
 */
export function s3UploadArchive(client: Pick<S3Client, 'send'>, bucket: string): UploadArchive {
  return {
    async put(key, bytes, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
        }),
      );
    },
  };
}
