/** The S3 client (see shared/adapters/aws/config.ts). Path-style addressing keeps it working against emulators on localhost. */
import { S3Client } from '@aws-sdk/client-s3';
import { awsEndpoint, clientConfig, traced } from './config';

export const s3 = traced(new S3Client({ ...clientConfig(), forcePathStyle: Boolean(awsEndpoint) }));
