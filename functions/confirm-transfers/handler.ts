/**
 * Schedule: re-checks every `seen` transfer on every enabled chain — final, moved or removed — whoever reported it
 * (shared/use-cases/scan-chain.ts `confirmTransfers`).
 */
import { lambdaHandler } from '../../shared/lambda';
import { forEachChain } from '../../shared/per-chain';
import { sendMessages } from '../../shared/queue';
import { confirmTransfers } from '../../shared/use-cases/scan-chain';

export const handler = lambdaHandler(async () => ({
  reports: await forEachChain(
    'transfer confirmation',
    (chain, rpc) => confirmTransfers(chain, { rpc, now: () => new Date(), send: (m) => sendMessages('transfers', m) }),
    (r) => r.finalized + r.moved + r.removed > 0,
  ),
}));
