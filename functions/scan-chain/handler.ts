/**
 * Schedule: discovers transfers to deposit addresses on every enabled chain (shared/app/scan-chain.ts), the chains
 * side by side and each on its own (shared/adapters/chain/per-chain.ts): one chain's node failing fails neither the
 * others' scans nor their checkpoints. The container keeps the watched deposit addresses between runs
 * (shared/app/watched-address-set.ts), one set per table, so a warm run reads only the watches written since.
 */

import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { tableName } from '../../shared/adapters/config';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoScanCheckpoints } from '../../shared/adapters/dynamo/checkpoints';
import { dynamoFreezeStore } from '../../shared/adapters/dynamo/freeze';
import { dynamoWatchedAddresses } from '../../shared/adapters/dynamo/invoices';
import { dynamoReconcileStore } from '../../shared/adapters/dynamo/reconcile-store';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { scannerLag } from '../../shared/adapters/metrics';
import { sendMessages } from '../../shared/adapters/queue';
import type { FreezeWatchDeps } from '../../shared/app/freeze-watch';
import { scanChain } from '../../shared/app/scan-chain';
import { WatchedAddressSet } from '../../shared/app/watched-address-set';

/** The freeze watch's ports: incidents and frozen pairs, our deposit addresses, the custody of each chain. */
const freezeWatch: FreezeWatchDeps = {
  store: dynamoFreezeStore,
  depositInvoice: (address) => dynamoReconcileStore.findInvoiceIdByAddress(address),
  custody: (chainId) => configuredCustodian.custodyAccount(chainId),
  now: () => new Date(),
};

/** The watched-address set of each table this container has scanned for (one in Lambda; tests switch tables). */
const watchedSets = new Map<string, WatchedAddressSet>();

function watchedSetOf(table: string): WatchedAddressSet {
  let set = watchedSets.get(table);
  if (!set) {
    set = new WatchedAddressSet();
    watchedSets.set(table, set);
  }
  return set;
}

export const handler = lambdaHandler(async () => {
  const watchedSet = watchedSetOf(tableName());
  return {
    reports: await forEachChain(
      'chain scan',
      async (chain, rpc) => {
        const report = await scanChain(chain, {
          rpc,
          checkpoints: dynamoScanCheckpoints,
          watchedAddresses: dynamoWatchedAddresses,
          watchedSet,
          now: () => new Date(),
          send: (m) => sendMessages('transfers', m),
          freezeWatch,
        });
        scannerLag(chain.chainId, report.lagBlocks);
        return report;
      },
      (r) => r.logs > 0 || r.reorgDetected || Boolean(r.freezeIncidents),
    ),
  };
});
