/** The SQS client (see shared/adapters/aws/config.ts). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, traced } from './config';

export const sqs = traced(new SQSClient(clientConfig()));
