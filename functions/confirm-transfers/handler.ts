/**
 * Schedule: re-checks every `seen` transfer on every enabled chain — final, moved or removed — whoever reported it,
 * and final ones once more at the deeper depth (shared/app/confirm-transfers.ts).
 */

import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { dynamoTransfersToRecheck } from '../../shared/adapters/dynamo/transfers';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { sendSightings } from '../../shared/adapters/work-queues';
import { confirmTransfers, RecentReports } from '../../shared/app/confirm-transfers';

/** What this container already reported, kept across invocations so a report is not queued again every run. */
const reported = new RecentReports();

export const handler = lambdaHandler(async () => ({
  reports: await forEachChain(
    'transfer confirmation',
    (chain, rpc) =>
      confirmTransfers(chain, {
        rpc,
        transfers: dynamoTransfersToRecheck,
        reported,
        now: () => new Date(),
        // Matched transfers' reports to their ministry's receipt sequence (finals), the rest to transfers.
        send: sendSightings,
      }),
    (r) => r.finalized + r.moved + r.removed > 0,
  ),
}));
