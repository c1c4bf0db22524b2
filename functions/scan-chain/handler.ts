/** Schedule: discovers transfers to deposit addresses on every enabled chain (shared/use-cases/scan-chain.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/observability';
import { forEachChain } from '../../shared/per-chain';
import { sendMessages } from '../../shared/queue';
import { scanChain } from '../../shared/use-cases/scan-chain';

export const handler = middy(async () => ({
  reports: await forEachChain(
    'chain scan',
    (chain, rpc) => scanChain(chain, { rpc, now: () => new Date(), send: (m) => sendMessages('transfers', m) }),
    (r) => r.logs > 0 || r.reorgDetected,
  ),
})).use(injectLambdaContext(logger, { resetKeys: true }));
