/**
 * The two signed documents of a refund, EIP-712 typed data signed by the service's receipt key (like receipts,
 * shared/domain/receipts.ts), so the custodian and a ministry's registry verify them offline against the signer
 * address `GET /v1/health` publishes:
 * - the refund ORDER the custodian executes: bound to the chain it moves money on (`chainId` in the domain), and
 *   built only from fields fixed at approval, so every resend of an order is the same bytes under the same
 *   `Idempotency-Key` (the refund id);
 * - the refund RECEIPT issued once the refund's transfer is final on chain (`kind: "refund"`), naming the refund,
 *   its source, amount and transaction.
 */
import { getAddress } from 'ethers';
import type { ReceiptSigner } from '../ports';
import {
  type DocumentSignature,
  RECEIPT_DOMAIN,
  signTypedDocument,
  type TypedDocument,
  type VerifyResult,
  verifyTypedDocument,
} from './receipts';
import { type Refund, sourceKey } from './refunds';

/** The EIP-712 domain name of refund orders (its version and the chain id complete the domain). */
export const REFUND_ORDER_DOMAIN_NAME = 'stablefee refund orders';

const REFUND_ORDER_FIELDS = [
  { name: 'refundId', type: 'string' },
  { name: 'source', type: 'string' },
  { name: 'ministry', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'token', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'amount', type: 'uint256' },
  { name: 'reason', type: 'string' },
  { name: 'requestedBy', type: 'string' },
  { name: 'approvedBy', type: 'string' },
  { name: 'approvedAt', type: 'string' },
] as const;

/** What the custodian receives: the order's fields, its typed data and the signature over it. */
export interface SignedRefundOrder extends DocumentSignature {
  kind: 'refund-order';
  order: RefundOrderMessage;
  typedData: TypedDocument;
}

/** The signed fields of an order (uint256 values as decimal strings). */
export type RefundOrderMessage = {
  refundId: string;
  source: string;
  ministry: string;
  chainId: string;
  token: string;
  to: string;
  amount: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  approvedAt: string;
};

/** The typed data of an approved refund's order. */
export function refundOrderTypedData(refund: Refund): TypedDocument & { message: RefundOrderMessage } {
  if (!refund.approvedBy || !refund.approvedAt) throw new Error(`refund ${refund.id} is not approved`);
  const message: RefundOrderMessage = {
    refundId: refund.id,
    source: sourceKey(refund.source),
    ministry: refund.ministry ?? '',
    chainId: String(refund.chainId),
    token: getAddress(refund.token),
    to: getAddress(refund.to),
    amount: refund.amount.toString(),
    reason: refund.reason,
    requestedBy: refund.requestedBy,
    approvedBy: refund.approvedBy,
    approvedAt: refund.approvedAt,
  };
  return {
    domain: { name: REFUND_ORDER_DOMAIN_NAME, version: '1', chainId: refund.chainId },
    types: { RefundOrder: REFUND_ORDER_FIELDS.map((f) => ({ ...f })) },
    primaryType: 'RefundOrder',
    message,
  };
}

/** Signs an approved refund's order with the service key. */
export async function signRefundOrder(refund: Refund, signer: ReceiptSigner): Promise<SignedRefundOrder> {
  const typedData = refundOrderTypedData(refund);
  const signed = await signTypedDocument(typedData, signer);
  return { kind: 'refund-order', order: typedData.message, typedData, ...signed };
}

/**
 * Verifies a received order offline (what a custodian does): the typed data is a refund order's, recomputes to the
 * signed hash, and the signature recovers `expectedSigner`.
 */
export function verifyRefundOrder(signed: SignedRefundOrder, expectedSigner: string): VerifyResult {
  const doc = signed.typedData;
  if (doc?.primaryType !== 'RefundOrder' || doc.domain?.name !== REFUND_ORDER_DOMAIN_NAME) {
    return { ok: false, problems: ['not a refund order'] };
  }
  const rebuilt: TypedDocument = {
    domain: { name: REFUND_ORDER_DOMAIN_NAME, version: '1', chainId: Number(signed.order?.chainId) },
    types: { RefundOrder: REFUND_ORDER_FIELDS.map((f) => ({ ...f })) },
    primaryType: 'RefundOrder',
    message: { ...signed.order },
  };
  return verifyTypedDocument(rebuilt, signed, expectedSigner);
}

// ---------------------------------------------------------------------------------------------------------------
// The refund receipt

const REFUND_RECEIPT_FIELDS = [
  { name: 'receiptId', type: 'string' },
  { name: 'refundId', type: 'string' },
  { name: 'ministry', type: 'string' },
  { name: 'source', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'token', type: 'address' },
  { name: 'decimals', type: 'uint8' },
  { name: 'to', type: 'address' },
  { name: 'amount', type: 'uint256' },
  { name: 'txHash', type: 'bytes32' },
  { name: 'logIndex', type: 'uint256' },
  { name: 'blockNumber', type: 'uint256' },
  { name: 'reason', type: 'string' },
  { name: 'requestedBy', type: 'string' },
  { name: 'approvedBy', type: 'string' },
  { name: 'completedAt', type: 'string' },
] as const;

/** The signed receipt of a completed refund (`kind: "refund"`): its fields, typed data and signature. */
export interface RefundReceipt extends DocumentSignature {
  kind: 'refund';
  receiptId: string;
  refundId: string;
  ministry: string;
  source: string;
  chainId: string;
  token: string;
  decimals: string;
  to: string;
  amount: string;
  txHash: string;
  logIndex: string;
  blockNumber: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  completedAt: string;
  typedData: TypedDocument;
}

type RefundReceiptFields = Omit<RefundReceipt, 'kind' | 'typedData' | keyof DocumentSignature>;

function refundReceiptTypedData(fields: RefundReceiptFields): TypedDocument {
  const message = Object.fromEntries(REFUND_RECEIPT_FIELDS.map((f) => [f.name, fields[f.name]]));
  return {
    domain: { ...RECEIPT_DOMAIN },
    types: { RefundReceipt: REFUND_RECEIPT_FIELDS.map((f) => ({ ...f })) },
    primaryType: 'RefundReceipt',
    message,
  };
}

/** Builds and signs the receipt of a completed refund. */
export async function buildRefundReceipt(refund: Refund, signer: ReceiptSigner): Promise<RefundReceipt> {
  const { receiptId, txHash, logIndex, blockNumber, completedAt } = refund;
  if (refund.state !== 'completed' || !receiptId || !txHash || logIndex === undefined || !completedAt) {
    throw new Error(`refund ${refund.id} is not completed`);
  }
  const fields: RefundReceiptFields = {
    receiptId,
    refundId: refund.id,
    ministry: refund.ministry ?? '',
    source: sourceKey(refund.source),
    chainId: String(refund.chainId),
    token: getAddress(refund.token),
    decimals: String(refund.decimals),
    to: getAddress(refund.to),
    amount: refund.amount.toString(),
    txHash: txHash.toLowerCase(),
    logIndex: String(logIndex),
    blockNumber: String(blockNumber ?? 0),
    reason: refund.reason,
    requestedBy: refund.requestedBy,
    approvedBy: refund.approvedBy ?? '',
    completedAt,
  };
  const typedData = refundReceiptTypedData(fields);
  const signed = await signTypedDocument(typedData, signer);
  return { kind: 'refund', ...fields, typedData, ...signed };
}

/** Verifies a refund receipt offline from its own fields (the embedded typed data is not trusted). */
export function verifyRefundReceipt(receipt: RefundReceipt, expectedSigner?: string): VerifyResult {
  if (receipt?.kind !== 'refund') return { ok: false, problems: ['not a refund receipt'] };
  const { kind: _kind, typedData: _typedData, hash, signature, signer, ...fields } = receipt;
  return verifyTypedDocument(refundReceiptTypedData(fields), { hash, signature, signer }, expectedSigner);
}
