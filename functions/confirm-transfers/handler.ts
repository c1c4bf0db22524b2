/**
 * Schedule: re-checks every `seen` transfer on every enabled chain — final, moved or removed — whoever reported it
 * (shared/use-cases/scan-chain.ts `confirmTransfers`).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/observability';
import { forEachChain } from '../../shared/per-chain';
import { sendMessages } from '../../shared/queue';
import { confirmTransfers } from '../../shared/use-cases/scan-chain';

export const handler = middy(async () => ({
  reports: await forEachChain(
    'transfer confirmation',
    (chain, rpc) => confirmTransfers(chain, { rpc, now: () => new Date(), send: (m) => sendMessages('transfers', m) }),
    (r) => r.finalized + r.moved + r.removed > 0,
  ),
})).use(injectLambdaContext(logger, { resetKeys: true }));
