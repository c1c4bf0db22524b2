/**
 * Schedule: completes instructed refunds from the chain — the custody → destination transfer of exactly the refund's
 * token and amount, final — and hands each completed refund's signed receipt to the outbox
 * (shared/app/complete-refunds.ts).
 */
import { enabledChains, rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { sendMessages } from '../../shared/adapters/queue';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { refundQueue } from '../../shared/adapters/work-queues';
import { completeRefunds } from '../../shared/app/complete-refunds';

export const handler = lambdaHandler(async () => ({
  completed: await completeRefunds({
    refunds: dynamoRefundStore,
    chains: enabledChains,
    rpcFor: (chainId) => jsonRpcChain(rpcUrlOf(chainId), chainId),
    custodian: configuredCustodian,
    signer: receiptSigner(),
    orders: refundQueue,
    publishReceipt: (refund) => sendMessages('outbox', [{ kind: 'refund-receipt', refundId: refund.id }]),
    now: () => new Date(),
    fault: faultHook('complete-refunds'),
  }),
}));
