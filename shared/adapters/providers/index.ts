/**
 * The webhook providers stablefee ingests, by the name in `POST /v1/webhooks/{provider}`. Each verifies a delivery's
 * signature on the raw body bytes and turns a verified body into `TransferObserved` messages (ERC-20 transfers of
 * some value on enabled chains, of any token; `source` = the provider name).
 */
import type { ChainConfig } from '../../domain/chains';
import type { TransferObserved } from '../../domain/transfers';
import { providerNames } from '../../domain/transfers';
import * as alchemy from './alchemy';
import type { ParseOptions } from './common';
import * as moralis from './moralis';
import * as quicknode from './quicknode';

export type { Drop, DropReason, ParseOptions } from './common';
export { WebhookPayloadError } from './common';

export const webhookProviderNames = providerNames;
export type WebhookProviderName = (typeof webhookProviderNames)[number];

export interface WebhookProvider {
  /**
   * True when `headers` (lower-case names) carry a valid signature of exactly `raw` under `secret`, and, where the
   * scheme has a timestamp, it is recent relative to `now`. Constant-time comparison.
   */
  verify(raw: Buffer, headers: Record<string, string>, secret: string, now: Date): boolean;
  /**
   * The transfers in a verified body. Throws `WebhookPayloadError` when the body is not JSON or not the provider's
   * payload; entries it cannot use (other tokens, other chains, NFTs…) are reported through `options.onDrop`.
   */
  parse(raw: Buffer, chains: readonly ChainConfig[], options?: ParseOptions): TransferObserved[];
  /**
   * For schemes that sign a nonce: the nonce of a verified delivery and how long it must not be seen again (as long
   * as a signed timestamp stays acceptable). A delivery whose nonce was seen within that window is a replay.
   */
  replay?: { nonce(headers: Record<string, string>): string | undefined; windowSeconds: number };
}

export const webhookProviders: Readonly<Record<WebhookProviderName, WebhookProvider>> = {
  alchemy: { verify: alchemy.verify, parse: alchemy.parse },
  moralis: { verify: moralis.verify, parse: moralis.parse },
  quicknode: {
    verify: quicknode.verify,
    parse: quicknode.parse,
    replay: {
      nonce: (headers) => headers[quicknode.QUICKNODE_HEADERS.nonce],
      windowSeconds: quicknode.QUICKNODE_NONCE_WINDOW_SECONDS,
    },
  },
};

/** The provider named `name`, or undefined (also for `__proto__` and other inherited names). */
export function findWebhookProvider(
  name: string,
): { name: WebhookProviderName; provider: WebhookProvider } | undefined {
  return (webhookProviderNames as readonly string[]).includes(name)
    ? { name: name as WebhookProviderName, provider: webhookProviders[name as WebhookProviderName] }
    : undefined;
}
