/** The service's receipt signer, resolved once per container from configuration (KMS in the cloud, a dev key locally). */
import { type ReceiptSigner, signerFromEnv } from './key-signers';

let signer: ReceiptSigner | undefined;

/** The configured signer (created on first use, so functions that never sign need no signer configuration). */
export function receiptSigner(): ReceiptSigner {
  signer ??= signerFromEnv();
  return signer;
}
