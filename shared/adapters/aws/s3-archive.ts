/**
 * The `archive` bucket as the WriteOnceArchive port (shared/ports.ts). The bucket keeps every object version under
 * S3 Object Lock in compliance mode; this adapter keeps each KEY to one version as well: a put is conditional
 * (`If-None-Match: *`, S3's conditional write), so it never creates a second version over an existing object. When
 * the key exists (412), the stored bytes are read and compared: the same bytes are a retry (success), other bytes
 * are reported, never overwritten. The check and the write are one request, so two writers racing for one key cannot
 * both write (S3 answers the loser 412, or 409 while the winner's write is in flight: thrown, so the caller retries).
 * Each put carries its SHA-256, which S3 checks on receipt and keeps with the object (an auditor's integrity check).
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveWrite, WriteOnceArchive } from '../../ports';

/** S3's answer to a conditional write whose condition failed: the key exists. */
const PRECONDITION_FAILED = 412;

/** A write-once archive in `bucket`: needs s3:PutObject and s3:GetObject on its objects, nothing else. */
export function s3WriteOnceArchive(client: Pick<S3Client, 'send'>, bucket: string): WriteOnceArchive {
  return {
    async putOnce(key, bytes, contentType): Promise<ArchiveWrite> {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentType: contentType,
            // S3 refuses a put to an Object Lock bucket without a checksum header; this one is also kept.
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
            IfNoneMatch: '*',
          }),
        );
        return 'written';
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== PRECONDITION_FAILED) {
          throw error;
        }
      }
      const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const held = stored.Body ? await stored.Body.transformToByteArray() : new Uint8Array();
      return Buffer.from(held).equals(Buffer.from(bytes)) ? 'already-archived' : 'different-body';
    },
  };
}
