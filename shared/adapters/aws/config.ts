/**
 * What every AWS SDK client of the service shares: `AWS_ENDPOINT_URL` pointing it at an emulator (moto,
 * LocalStack) when set, bounded retries, explicit connection and request timeouts, and the service's tracer. Each
 * client lives in its own module (dynamodb, sqs, s3, kms, next to this one), created once per container, so a
 * function loads only the SDK clients it uses.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracer } from '../observability';

/** The emulator endpoint, when there is one. */
export const awsEndpoint = process.env.AWS_ENDPOINT_URL || undefined;

/** Common client options, with a request handler of its own for each client. */
export function clientConfig() {
  return {
    endpoint: awsEndpoint,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
  };
}

/** `client`, its calls traced as X-Ray subsegments when tracing is on (shared/adapters/observability.ts). */
export const traced = <C>(client: C): C => tracer.captureAWSv3Client(client);
