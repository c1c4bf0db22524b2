/** The SQS client (see shared/adapters/aws/config.ts). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from './config';

export const sqs = new SQSClient(clientConfig());
