/**
 * The JSON deployment parameters (ChainsJson, RegistriesJson, CustodianJson), checked at synth time by the very
 * parsers the functions run at start (shared/adapters: config, enabled-chains, registry, custodian). A value given
 * as CDK context (`cdk deploy -c ChainsJson='[…]'`) is checked and becomes the parameter's default, so a typo fails
 * `cdk synth` on the operator's machine instead of deploying and then failing every function. A value passed with
 * `--parameters` instead skips this check (docs/operations.md says so).
 */
import * as z from 'zod';
import { resolveChains } from '../shared/adapters/chain/enabled-chains';
import { chainEndpointSchema } from '../shared/adapters/config';
import { parseCustodian } from '../shared/adapters/custodian';
import { parseRegistries } from '../shared/adapters/registry';

/** The parameters whose values are checked, each with its check (throws with the parser's message). */
export const CHECKED_PARAMETERS = {
  /**
   * An array of {chainId, rpcUrl | rpcUrlInSecret: true, depositFactory?}; known chain ids; one deposit factory on
   * every chain or none. A keyed URL's place in the RPC URL secret is checked when the functions start.
   */
  ChainsJson: (text: string): void => {
    // No local-chain tokens in a deployment: chain 31337 is refused like any chain stablefee does not know.
    resolveChains(z.array(chainEndpointSchema).parse(JSON.parse(text)), {});
  },
  /** {"<MINISTRY>": {"url": "https://…", "timeoutMs"?}}: https only. */
  RegistriesJson: (text: string): void => {
    parseRegistries(text, 'cloud');
  },
  /** Empty, or {"url": "https://…", "timeoutMs"?, "accounts": {"<chainId>": "0x…"}}. */
  CustodianJson: (text: string): void => {
    parseCustodian(text, 'cloud');
  },
} as const satisfies Record<string, (text: string) => void>;

export type CheckedParameter = keyof typeof CHECKED_PARAMETERS;

/**
 * `text` if it is a valid value of `parameter`; otherwise an error naming the parameter and what is wrong.
 */
export function checkedParameterValue(parameter: CheckedParameter, text: string): string {
  try {
    CHECKED_PARAMETERS[parameter](text);
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    throw new Error(`${parameter} is not valid: ${detail}`);
  }
  return text;
}
