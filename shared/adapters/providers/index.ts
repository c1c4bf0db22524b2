/**
 * The webhook providers stablefee ingests, by the name in `POST /v1/webhooks/{provider}`. Each verifies a delivery's
 * signature on the raw body bytes and turns a verified body into `TransferObserved` messages (ERC-20 transfers of
 * some value on enabled chains, of any token; `source` = the provider name).
 */
import { providerNames } from '../../domain/transfers';
import type { WebhookProvider } from '../../ports';
import * as alchemy from './alchemy';
import * as moralis from './moralis';
import * as quicknode from './quicknode';

export type { Drop, DropReason, ParseOptions, WebhookProvider } from '../../ports';
export { WebhookPayloadError } from '../../ports';

export const webhookProviderNames = providerNames;
export type WebhookProviderName = (typeof webhookProviderNames)[number];

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
