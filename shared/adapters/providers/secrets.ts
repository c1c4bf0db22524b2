/**
 * Webhook signing secrets, one per provider. In the cloud, `WEBHOOK_SECRETS_ARN` names a Secrets Manager secret
 * whose value is JSON `{"alchemy": "…", "moralis": "…", "quicknode": "…"}` (any may be absent: that provider is then
 * not enabled); it is read at first use through Powertools Parameters and cached for five minutes, so a rotated
 * secret takes effect without a deploy. Locally (no ARN), `WEBHOOK_SECRET_ALCHEMY`, `WEBHOOK_SECRET_MORALIS` and
 * `WEBHOOK_SECRET_QUICKNODE` hold them. Secrets are never logged.
 */
import { serviceSecretValue, WEBHOOK_SECRETS_ARN_ENV } from '../service-secret';
import type { WebhookProviderName } from './index';

/** Environment variable holding a provider's secret when no Secrets Manager secret is configured. */
export const webhookSecretEnv: Readonly<Record<WebhookProviderName, string>> = {
  alchemy: 'WEBHOOK_SECRET_ALCHEMY',
  moralis: 'WEBHOOK_SECRET_MORALIS',
  quicknode: 'WEBHOOK_SECRET_QUICKNODE',
};

export { WEBHOOK_SECRETS_ARN_ENV };

/** The provider's signing secret, or undefined when the deployment has none for it (the provider is disabled). */
export function webhookSecret(provider: WebhookProviderName): Promise<string | undefined> {
  return serviceSecretValue([provider], webhookSecretEnv[provider]);
}
