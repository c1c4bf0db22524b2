/**
 * The signer port: whoever signs receipts (and export manifests) signs a 32-byte digest with a secp256k1 key and
 * answers Ethereum-style 65-byte signatures, so anyone holding the signer address verifies offline with any EIP-712
 * library. Adapters: a local key for development, AWS KMS (key spec ECC_SECG_P256K1) in the cloud, where the private
 * key never leaves KMS and never enters a Lambda.
 *
 * Nothing here logs a key or a signature, and error messages never include either.
 */
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { computeAddress, getBytes, hexlify, isHexString, recoverAddress, Signature, SigningKey, toBeHex } from 'ethers';
import type { ReceiptSigner } from '../../ports';
import { kms } from '../aws/kms';

export type { ReceiptSigner };

/** The signer is not configured, or configured in a way this stage must refuse. */
export class SignerConfigurationError extends Error {
  override readonly name = 'SignerConfigurationError';
}

/** KMS answered something that is not a valid signature by the expected key. */
export class KmsSignatureError extends Error {
  override readonly name = 'KmsSignatureError';
}

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N / 2n;

function assertDigest(digest: string): void {
  if (!isHexString(digest, 32)) throw new RangeError('digest must be 0x followed by 64 hex digits (32 bytes)');
}

/**
 * Development signer holding a private key in memory. The key lives in an ES private field, so it does not show
 * up in `JSON.stringify` or `console.log` of the signer.
 */
export class LocalKeySigner implements ReceiptSigner {
  readonly #key: SigningKey;
  readonly #address: string;

  /** @param privateKeyHex 0x + 64 hex digits. */
  constructor(privateKeyHex: string) {
    if (!isHexString(privateKeyHex, 32)) {
      throw new SignerConfigurationError('private key must be 0x followed by 64 hex digits');
    }
    try {
      this.#key = new SigningKey(privateKeyHex);
      this.#address = computeAddress(this.#key.publicKey);
    } catch {
      // ethers' message could echo the key.
      throw new SignerConfigurationError('private key is not a valid secp256k1 key');
    }
  }

  async address(): Promise<string> {
    return this.#address;
  }

  async signDigest(digest: string): Promise<string> {
    assertDigest(digest);
    // ethers signs deterministically (RFC 6979) with a canonical low s; `serialized` is r||s||v with v 27/28.
    return this.#key.sign(digest).serialized;
  }
}

/** Options of {@link KmsSigner}: the key (id, ARN or alias) and the client to reach KMS with. */
export interface KmsSignerOptions {
  keyId: string;
  client: Pick<KMSClient, 'send'>;
}

/**
 * Signer backed by an AWS KMS asymmetric key (`KeySpec: ECC_SECG_P256K1`, `KeyUsage: SIGN_VERIFY`). KMS signs the
 * digest as given (`MessageType: DIGEST`, `ECDSA_SHA_256`: with DIGEST the algorithm only names the digest length)
 * and answers a DER signature without a recovery id; this adapter turns it into an Ethereum signature: low-s
 * (KMS may answer either s), and v found by recovering against the key's own public key.
 */
export class KmsSigner implements ReceiptSigner {
  readonly #keyId: string;
  readonly #client: Pick<KMSClient, 'send'>;
  #address: Promise<string> | undefined;

  constructor(options: KmsSignerOptions) {
    if (!options.keyId) throw new SignerConfigurationError('KMS key id must not be empty');
    this.#keyId = options.keyId;
    this.#client = options.client;
  }

  /** The key's address, from `GetPublicKey`, fetched once and cached (a failed fetch is retried next time). */
  address(): Promise<string> {
    if (!this.#address) {
      this.#address = this.#fetchAddress();
      this.#address.catch(() => {
        this.#address = undefined;
      });
    }
    return this.#address;
  }

  async #fetchAddress(): Promise<string> {
    const out = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
    if (out.KeySpec && out.KeySpec !== 'ECC_SECG_P256K1') {
      throw new SignerConfigurationError(`KMS key ${this.#keyId} has key spec ${out.KeySpec}, not ECC_SECG_P256K1`);
    }
    if (out.KeyUsage && out.KeyUsage !== 'SIGN_VERIFY') {
      throw new SignerConfigurationError(`KMS key ${this.#keyId} has key usage ${out.KeyUsage}, not SIGN_VERIFY`);
    }
    if (!out.PublicKey) throw new KmsSignatureError(`KMS returned no public key for ${this.#keyId}`);
    return addressFromSpki(out.PublicKey);
  }

  async signDigest(digest: string): Promise<string> {
    assertDigest(digest);
    const address = await this.address();
    const out = await this.#client.send(
      new SignCommand({
        KeyId: this.#keyId,
        Message: getBytes(digest),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!out.Signature) throw new KmsSignatureError(`KMS returned no signature for ${this.#keyId}`);
    return ethSignatureFromDer(out.Signature, digest, address);
  }
}

// DER SubjectPublicKeyInfo header of an uncompressed secp256k1 key: SEQUENCE { SEQUENCE { OID ecPublicKey,
// OID secp256k1 }, BIT STRING (66 bytes, 0 unused bits) }, followed by the 65-byte point 04 || X || Y.
const SPKI_SECP256K1_HEADER = getBytes('0x3056301006072a8648ce3d020106052b8104000a034200');

/**
 * The Ethereum address of a DER SPKI secp256k1 public key, as KMS `GetPublicKey` answers it.
 * @throws KmsSignatureError when the bytes are not an uncompressed secp256k1 SPKI (another curve, truncated, ...).
 */
export function addressFromSpki(spki: Uint8Array): string {
  const header = SPKI_SECP256K1_HEADER;
  const ok =
    spki.length === header.length + 65 && header.every((b, i) => spki[i] === b) && spki[header.length] === 0x04;
  if (!ok) throw new KmsSignatureError('public key is not an uncompressed secp256k1 SubjectPublicKeyInfo');
  try {
    return computeAddress(hexlify(spki.subarray(header.length)));
  } catch {
    throw new KmsSignatureError('public key is not a point on secp256k1');
  }
}

/**
 * Parses a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` strictly: short-form lengths only (a
 * secp256k1 signature is at most 72 bytes), minimal positive integers, nothing trailing, 1 <= r, s < n.
 * @throws KmsSignatureError naming what is malformed.
 */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const bad = (what: string): never => {
    throw new KmsSignatureError(`DER signature is malformed: ${what}`);
  };
  if (der.length < 8 || der.length > 72) bad(`length ${der.length}`);
  if (der[0] !== 0x30) bad('not a SEQUENCE');
  if (der[1] !== der.length - 2) bad('SEQUENCE length does not match');
  let at = 2;
  const integer = (name: string): bigint => {
    if (der[at] !== 0x02) bad(`${name} is not an INTEGER`);
    const len = der[at + 1] ?? 0;
    if (len < 1 || len > 33 || at + 2 + len > der.length) bad(`${name} has length ${len}`);
    const bytes = der.subarray(at + 2, at + 2 + len);
    if ((bytes[0] ?? 0) & 0x80) bad(`${name} is negative`);
    if (len > 1 && bytes[0] === 0 && !((bytes[1] ?? 0) & 0x80)) bad(`${name} is not minimally encoded`);
    at += 2 + len;
    const value = BigInt(hexlify(bytes));
    if (value < 1n || value >= SECP256K1_N) bad(`${name} is out of range`);
    return value;
  };
  const r = integer('r');
  const s = integer('s');
  if (at !== der.length) bad('trailing bytes');
  return { r, s };
}

/**
 * Turns a DER ECDSA signature over `digest` into a 65-byte Ethereum signature r||s||v: s is normalised to the lower
 * half of the group order (EIP-2; s and n - s are both valid ECDSA signatures, Ethereum accepts only the low one),
 * and v is whichever of 27/28 recovers `address`.
 * @throws KmsSignatureError when neither recovers `address` (the signature is not by that key over that digest).
 */
export function ethSignatureFromDer(der: Uint8Array, digest: string, address: string): string {
  assertDigest(digest);
  const { r, s: rawS } = parseDerSignature(der);
  const s = rawS > HALF_N ? SECP256K1_N - rawS : rawS;
  for (const v of [27, 28] as const) {
    const sig = Signature.from({ r: toBeHex(r, 32), s: toBeHex(s, 32), v });
    if (recoverAddress(digest, sig) === address) return sig.serialized;
  }
  throw new KmsSignatureError(`KMS signature does not recover to the key's address ${address}`);
}

/**
 * The signer this deployment is configured with:
 * - `RECEIPT_SIGNER_KMS_KEY_ID` → {@link KmsSigner} with the shared KMS client (shared/adapters/aws/kms.ts);
 * - else `RECEIPT_SIGNER_PRIVATE_KEY` → {@link LocalKeySigner}, only when `STAGE=local`;
 * - else a {@link SignerConfigurationError}.
 *
 * A private key in the environment is refused whenever the stage is not `local` (an unset `STAGE` counts as
 * `cloud`, as in shared/adapters/config.ts), even beside a KMS key id: a key sitting in a cloud function's environment is
 * itself the fault to report. Call once at module scope, so a KMS signer's cached address is reused.
 */
export function signerFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ReceiptSigner {
  const keyId = env.RECEIPT_SIGNER_KMS_KEY_ID;
  const privateKey = env.RECEIPT_SIGNER_PRIVATE_KEY;
  const stage = env.STAGE || 'cloud';
  if (privateKey && stage !== 'local') {
    throw new SignerConfigurationError(
      `RECEIPT_SIGNER_PRIVATE_KEY is for local development only and is refused when STAGE=${stage}; ` +
        'sign with a KMS key (RECEIPT_SIGNER_KMS_KEY_ID) and remove the private key from the environment',
    );
  }
  if (keyId) return new KmsSigner({ keyId, client: kms });
  if (privateKey) return new LocalKeySigner(privateKey);
  throw new SignerConfigurationError(
    'no receipt signer configured: set RECEIPT_SIGNER_KMS_KEY_ID (or RECEIPT_SIGNER_PRIVATE_KEY with STAGE=local)',
  );
}
