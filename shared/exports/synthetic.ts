/**
 * Synthetic export sources: `count` paid invoices with their transfer, receipt and journal entries, generated on the
 * fly. Used to measure the streaming code's memory apart from the store (nothing is held: each record is built
 * when pulled) and by unit tests. With `signed: true` every receipt is really signed and chained (slow: for small
 * counts); otherwise one signed template is re-numbered and re-chained, and its signatures do not verify.
 */
import { createHash } from 'node:crypto';
import type { Invoice } from '../invoices';
import { invoiceIssuedEntry, type JournalEntry, transferFinalEntry } from '../journal';
import { buildReceipt, GENESIS_PREV_HASH, type Receipt, type UnsignedReceipt } from '../receipts';
import type { ReceiptSigner } from '../signer';
import type { StoredTransfer } from '../store/transfers';
import type { TokenInfo } from './columns';
import type { ExportSources } from './run';

export const SYNTHETIC_TOKEN = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
export const SYNTHETIC_FROM = '2026-03-01T00:00:00.000Z';
const DUE = 3_000_000_000n;

const hex32 = (seed: string) => `0x${createHash('sha256').update(seed).digest('hex')}`;
const at = (i: number, offsetMs = 0) => new Date(Date.parse(SYNTHETIC_FROM) + i * 1000 + offsetMs).toISOString();
const invoiceId = (i: number) => `inv_${String(i).padStart(22, '0')}`;

export const syntheticTokenInfo = (): TokenInfo => ({ chain: 'Ethereum', symbol: 'USDT', decimals: 6 });

export function syntheticInvoice(i: number, payerName = `Firm ${i} LLP`): Invoice {
  const id = invoiceId(i);
  return {
    id,
    ministry: 'AFSA',
    feeCode: 'AFSA-SUP-PMS',
    feeTitle: { kk: 'Жыл сайынғы', ru: 'Ежегодный', en: 'Annual supervision fee' },
    fee: { currency: 'USD', minor: 300_000n },
    payer: { bin: '940140000385', name: payerName, kod: '17' },
    reference: `REF-${i}`,
    quote: { source: 'fixed' },
    dueMicroUsd: DUE,
    paidMicroUsd: DUE,
    pendingMicroUsd: 0n,
    overpaidMicroUsd: 0n,
    status: 'paid',
    exception: 'none',
    depositAddress: '0x000000000000000000000000000000000000dEaD',
    depositIndex: i,
    options: [],
    createdAt: at(i),
    expiresAt: at(i, 3_600_000),
    receiptId: `rcp_${id.slice(4)}`,
    paidAt: at(i, 500),
    payments: [
      {
        transferId: `1:${hex32(`tx${i}`)}:0`,
        chainId: 1,
        token: SYNTHETIC_TOKEN,
        txHash: hex32(`tx${i}`),
        logIndex: 0,
        blockNumber: 21_000_000 + i,
        amount: DUE,
        decimals: 6,
        microUsd: DUE,
      },
    ],
    version: 3,
  };
}

function syntheticTransfer(i: number): StoredTransfer {
  const txHash = hex32(`tx${i}`);
  return {
    id: `1:${txHash}:0`,
    chainId: 1,
    token: SYNTHETIC_TOKEN,
    txHash,
    logIndex: 0,
    blockNumber: 21_000_000 + i,
    blockHash: hex32(`block${i}`),
    from: '0x1111111111111111111111111111111111111111',
    to: '0x000000000000000000000000000000000000dEaD',
    amount: DUE,
    microUsd: DUE,
    remainderUnits: 0n,
    state: 'final',
    removedBlockHashes: [],
    invoiceId: invoiceId(i),
    sources: ['scanner'],
    history: [{ at: at(i, 400), event: 'record' }],
    firstSeenAt: at(i, 400),
    version: 1,
  };
}

function unsignedReceipt(i: number, payerName: string): UnsignedReceipt {
  const invoice = syntheticInvoice(i, payerName);
  return {
    receiptId: invoice.receiptId as string,
    receiptNo: String(i + 1),
    invoiceId: invoice.id,
    ministry: 'AFSA',
    feeCode: invoice.feeCode,
    feeTitle: invoice.feeTitle.en,
    payer: invoice.payer,
    fee: { currency: 'USD', minor: '300000' },
    quote: { source: 'fixed' },
    dueMicroUsd: DUE.toString(),
    paidMicroUsd: DUE.toString(),
    overpaidMicroUsd: '0',
    exception: 'none',
    payments: invoice.payments.map((p) => ({
      chainId: p.chainId,
      token: p.token,
      txHash: p.txHash,
      logIndex: p.logIndex,
      blockNumber: p.blockNumber,
      amount: p.amount.toString(),
      decimals: p.decimals,
      microUsd: p.microUsd.toString(),
    })),
    paidAt: invoice.paidAt as string,
    issuedAt: invoice.paidAt as string,
  };
}

export interface SyntheticOptions {
  count: number;
  signer: ReceiptSigner;
  /** Really sign and chain every receipt (slow). */
  signed?: boolean;
  payerName?: (i: number) => string;
}

/** Sources of `count` paid invoices, each with one final transfer, one receipt and two journal entries. */
export function syntheticSources(options: SyntheticOptions): ExportSources {
  const name = options.payerName ?? ((i: number) => `Firm ${i} LLP`);
  return {
    async *invoices() {
      for (let i = 0; i < options.count; i++) yield syntheticInvoice(i, name(i));
    },
    async *transfers() {
      for (let i = 0; i < options.count; i++) yield { transfer: syntheticTransfer(i), confirmations: 12 };
    },
    async *receipts() {
      let prevHash = GENESIS_PREV_HASH;
      let template: Receipt | undefined;
      for (let i = 0; i < options.count; i++) {
        let receipt: Receipt;
        if (options.signed) {
          receipt = await buildReceipt(unsignedReceipt(i, name(i)), prevHash, options.signer);
        } else {
          template ??= await buildReceipt(unsignedReceipt(0, name(0)), GENESIS_PREV_HASH, options.signer);
          const fields = unsignedReceipt(i, name(i));
          receipt = { ...template, ...fields, prevHash, hash: hex32(`receipt${i}`) };
        }
        prevHash = receipt.hash;
        yield { receipt, invoiceCreatedAt: at(i) };
      }
    },
    async *journal() {
      for (let i = 0; i < options.count; i++) {
        const invoice = syntheticInvoice(i);
        const entries: JournalEntry[] = [
          invoiceIssuedEntry({
            id: invoice.id,
            ministry: 'AFSA',
            feeCode: invoice.feeCode,
            dueMicroUsd: DUE,
            at: invoice.createdAt,
          }),
          transferFinalEntry({
            transferId: syntheticTransfer(i).id,
            chainId: 1,
            token: SYNTHETIC_TOKEN,
            microUsd: DUE,
            at: at(i, 500),
            matched: { invoiceId: invoice.id, ministry: 'AFSA', stillOwedMicroUsd: DUE },
          }),
        ];
        yield* entries;
      }
    },
    confirmationsAsOf: () => ({ '1': 21_000_000 + options.count + 11 }),
  };
}

/** The period covering `count` synthetic records. */
export function syntheticPeriod(count: number): { from: string; to: string } {
  return { from: SYNTHETIC_FROM, to: at(count + 1) };
}
