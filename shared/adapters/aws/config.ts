/**
 * What every AWS SDK client of the service shares: `AWS_ENDPOINT_URL` pointing it at an emulator (moto,
 * LocalStack) when set, bounded retries and explicit connection and request timeouts. Each client lives in its own
 * module (aws-dynamodb, aws-sqs, aws-s3, aws-kms), created once per container, so a function loads only the SDK
 * clients it uses.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

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
