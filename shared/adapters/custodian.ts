/**
 * The custodian adapter (the `Custodian` port): where the custodian takes refund orders and which custody account it
 * pays from on each chain — one configuration value, `CUSTODIAN`, JSON
 * `{"url": "https://…", "timeoutMs": 5000, "accounts": {"<chainId>": "0x…"}}` — and the HMAC secret shared with it
 * (in the cloud the service secret's `custodian` entry, locally `CUSTODIAN_SECRET`). An order is POSTed like a
 * receipt to a registry (shared/adapters/registry.ts `postSigned`): `Idempotency-Key: <refundId>` and the
 * timestamped HMAC signature header; 2xx or 409 is delivered. The URL must be `https` outside the local stage.
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import type { Custodian } from '../ports';
import { CUSTODIAN_ENV } from '../resources';
import { stage } from './config';
import { postSigned } from './registry';
import { serviceSecretValue } from './service-secret';

function custodianSchema(forStage: typeof stage) {
  const url = forStage === 'local' ? z.url({ protocol: /^https?$/ }) : z.url({ protocol: /^https$/ });
  return z.strictObject({
    url,
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
    accounts: z.record(
      z.string().regex(/^\d{1,12}$/),
      z.string().transform((a) => getAddress(a)),
    ),
  });
}

export type CustodianConfig = z.output<ReturnType<typeof custodianSchema>>;

/** Parses `CUSTODIAN`; undefined when it is not set (refund orders then wait, and the DLQ alarm tells operators). */
export function parseCustodian(json: string | undefined, forStage: typeof stage): CustodianConfig | undefined {
  if (!json?.trim()) return undefined;
  return custodianSchema(forStage).parse(JSON.parse(json));
}

const config = parseCustodian(process.env[CUSTODIAN_ENV], stage);

/** The configured custodian: orders over HTTPS with the shared secret. */
export const configuredCustodian: Custodian = {
  async sendOrder(order, at) {
    const secret = config && (await serviceSecretValue(['custodian'], 'CUSTODIAN_SECRET'));
    if (!config || !secret) return { outcome: 'not-configured' };
    return postSigned(config, secret, order.order.refundId, JSON.stringify(order), at, 'custodian');
  },
  custodyAccount: (chainId) => config?.accounts[String(chainId)],
};
