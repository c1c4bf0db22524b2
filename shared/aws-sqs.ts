/** The SQS client (see shared/aws-config.ts). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from './aws-config';

export const sqs = new SQSClient(clientConfig());
