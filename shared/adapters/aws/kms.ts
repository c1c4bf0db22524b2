/** The AWS KMS client (see shared/adapters/aws/config.ts): only the functions that sign receipts load the KMS SDK. */
import { KMSClient } from '@aws-sdk/client-kms';
import { clientConfig, traced } from './config';

/** KMS client for `GetPublicKey` and `Sign` on the receipt signing key. */
export const kms = traced(new KMSClient(clientConfig()));
