/**
 * What every handler is wrapped in: the Lambda context in each log line (keys reset between invocations), a trace
 * segment per invocation (with the cold start annotated; the AWS calls are its subsegments; off outside Lambda), and
 * the invocation's metrics flushed at its end (only when there are some, so quiet handlers write no empty EMF lines).
 * Before the first invocation of a container, the RPC URLs kept in Secrets Manager are read (./chain/rpc-urls.ts),
 * so `rpcUrlOf` stays synchronous for the handlers; a function that does not read the chain reads nothing.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { secretArnEnv } from '../resources';
import { logger, metrics, tracer } from './observability';

/** Wraps a handler function with the service's middleware. */
export function lambdaHandler<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return (
    middy(fn)
      .use(injectLambdaContext(logger, { resetKeys: true }))
      // Responses are not recorded: they can carry invoices and receipts.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use({
        // Only where the RPC URL secret is given, and imported then: config.ts reads the environment when first
        // imported, which must not be when this module is (the local runtime loads it before setting the stage).
        // At once after the first read; a failed read fails this invocation and is tried again on the next.
        before: async () => {
          if (process.env[secretArnEnv.rpcUrls]) await (await import('./chain/rpc-urls')).rpcUrlsReady();
        },
        after: () => {
          if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
        },
        onError: () => {
          if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
        },
      })
  );
}
