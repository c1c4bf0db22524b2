/**
 * The `addressWatch` queue's message: which deposit addresses the webhook providers should start or stop watching.
 * Senders (issuing, settling, expiring, reopening an invoice) and the consumer (shared/app/watch-addresses.ts) share it.
 */
import * as z from 'zod';
import { HEX_ADDRESS, providerNames } from './transfers';

/** Most addresses one message carries (every provider accepts at least this many per call). */
export const MAX_ADDRESSES_PER_MESSAGE = 100;

/** A message on the `addressWatch` queue. */
export const addressWatchMessageSchema = z.object({
  action: z.enum(['watch', 'unwatch']),
  addresses: z
    .array(z.string().regex(HEX_ADDRESS, 'not a 0x-prefixed 20-byte hex address'))
    .min(1)
    .max(MAX_ADDRESSES_PER_MESSAGE),
  /** The invoice the addresses belong to, for logs. */
  invoiceId: z.string().min(1).optional(),
  /** Only these providers (a retry of one provider); all enabled ones when absent. */
  providers: z.array(z.enum(providerNames)).min(1).optional(),
});
export type AddressWatchMessage = z.infer<typeof addressWatchMessageSchema>;
