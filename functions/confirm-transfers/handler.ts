/**
 * Schedule: re-checks every `seen` transfer on every enabled chain — final, moved or removed — whoever reported it
 * (shared/app/scan-chain.ts `confirmTransfers`).
 */

import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { sendMessages } from '../../shared/adapters/queue';
import { confirmTransfers } from '../../shared/app/scan-chain';

export const handler = lambdaHandler(async () => ({
  reports: await forEachChain(
    'transfer confirmation',
    (chain, rpc) => confirmTransfers(chain, { rpc, now: () => new Date(), send: (m) => sendMessages('transfers', m) }),
    (r) => r.finalized + r.moved + r.removed > 0,
  ),
}));
