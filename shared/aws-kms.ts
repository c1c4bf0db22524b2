/**
 * The AWS KMS client, kept apart from shared/aws.ts so only the functions that sign receipts load the KMS SDK.
 * Same conventions: created once per Lambda container at module scope, explicit timeouts, and `AWS_ENDPOINT_URL`
 * pointing it at an emulator when set.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const endpoint = process.env.AWS_ENDPOINT_URL || undefined;

/** KMS client for `GetPublicKey` and `Sign` on the receipt signing key. */
export const kms = new KMSClient({
  endpoint,
  maxAttempts: 3,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
});
