/** Schedule: discovers transfers to deposit addresses on every enabled chain (shared/use-cases/scan-chain.ts). */
import { lambdaHandler } from '../../shared/lambda';
import { scannerLag } from '../../shared/metrics';
import { forEachChain } from '../../shared/per-chain';
import { sendMessages } from '../../shared/queue';
import { scanChain } from '../../shared/use-cases/scan-chain';

export const handler = lambdaHandler(async () => ({
  reports: await forEachChain(
    'chain scan',
    async (chain, rpc) => {
      const report = await scanChain(chain, { rpc, now: () => new Date(), send: (m) => sendMessages('transfers', m) });
      scannerLag(chain.chainId, report.lagBlocks);
      return report;
    },
    (r) => r.logs > 0 || r.reorgDetected,
  ),
}));
