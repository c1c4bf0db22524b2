/** Schedule: discovers transfers to deposit addresses on every enabled chain (shared/app/scan-chain.ts). */

import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { dynamoScanCheckpoints } from '../../shared/adapters/dynamo/checkpoints';
import { dynamoWatchedAddresses } from '../../shared/adapters/dynamo/invoices';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { scannerLag } from '../../shared/adapters/metrics';
import { sendMessages } from '../../shared/adapters/queue';
import { scanChain } from '../../shared/app/scan-chain';

export const handler = lambdaHandler(async () => ({
  reports: await forEachChain(
    'chain scan',
    async (chain, rpc) => {
      const report = await scanChain(chain, {
        rpc,
        checkpoints: dynamoScanCheckpoints,
        watchedAddresses: dynamoWatchedAddresses,
        now: () => new Date(),
        send: (m) => sendMessages('transfers', m),
      });
      scannerLag(chain.chainId, report.lagBlocks);
      return report;
    },
    (r) => r.logs > 0 || r.reorgDetected,
  ),
}));
