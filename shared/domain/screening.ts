/**
 * Sender screening (DESIGN.md, "Compliance controls"): before a payment is credited, its sender is checked against
 * the screening lists the compliance role keeps (`PUT /v1/screening-lists/{name}`) and against the token's own
 * blacklist, read on chain. A hit holds the transfer: not credited, no receipt, until the compliance officer
 * releases it (credited through reconciliation as if it had just arrived) or rejects it (recorded in suspense as
 * `sender_rejected`, out of revenue). The rules and records are here; reading lists and chains are ports.
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import { DomainError, ValidationError } from './errors';
import { zodToValidationError } from './fees';
import type { TransferObserved } from './transfers';

/** Most addresses in one list (a list is one stored item, whose size DynamoDB bounds). */
export const MAX_LIST_ADDRESSES = 5_000;
/** Largest list body accepted. */
export const MAX_LIST_BYTES = 262_144;
/** A list's name: lower-case letters, digits and dashes (`ofac-sdn`). */
export const LIST_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A screening list as stored: its addresses (EIP-55), where they come from, and who last changed it. */
export interface ScreeningList {
  name: string;
  /** Where the addresses come from (`OFAC SDN list, digital currency addresses`). */
  source: string;
  /** When the source published them (ISO date or date-time). */
  asOf: string;
  addresses: string[];
  /** 1 for the first upload, then one more per change. */
  version: number;
  updatedBy: string;
  updatedAt: string;
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
  .refine((a) => {
    try {
      getAddress(a);
      return true;
    } catch {
      return false;
    }
  }, 'the EIP-55 checksum is wrong (use all lower case when unsure)')
  .transform((a) => getAddress(a.toLowerCase()));

/** zod schema of the body of `PUT /v1/screening-lists/{name}`. */
export const screeningListBodySchema = z.strictObject({
  source: z.string().trim().min(1).max(300),
  asOf: z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be an ISO date or date-time' }),
  addresses: z.array(address).max(MAX_LIST_ADDRESSES),
  /** Why the list changed (journaled). */
  reason: z.string().trim().min(1).max(500).optional(),
});
export type ScreeningListBody = z.output<typeof screeningListBodySchema>;

/** Parses a list body; the addresses come back checksummed and without repeats. */
export function parseScreeningList(json: unknown): ScreeningListBody {
  const parsed = screeningListBodySchema.safeParse(json);
  if (!parsed.success) throw zodToValidationError(parsed.error);
  return { ...parsed.data, addresses: [...new Set(parsed.data.addresses)] };
}

/** Checks a list name from a path. */
export function checkListName(name: string): string {
  if (!LIST_NAME_PATTERN.test(name)) {
    throw new ValidationError([{ field: 'name', message: 'use 1-64 lower-case letters, digits and dashes' }]);
  }
  return name;
}

/** Why a sender was held: a screening list naming it, or the token's issuer having blacklisted it. */
export type ScreeningHit = { kind: 'list'; list: string; source: string } | { kind: 'token-blacklist'; token: string };

/** What a hit says, as a person reads it. */
function describeHit(hit: ScreeningHit): string {
  return hit.kind === 'list'
    ? `on screening list ${hit.list} (${hit.source})`
    : `blacklisted by the token contract ${hit.token}`;
}

/**
 * A refund would send money to an address the screening lists or the token's own blacklist name: no one may send it
 * there (a sanctioned address, or one the token would refuse or freeze); another destination may be asked for.
 */
export class RefundDestinationScreenedError extends DomainError {
  readonly type = 'refund_destination_screened';
  readonly title = 'Refund destination screened';
  constructor(
    readonly to: string,
    readonly hits: readonly ScreeningHit[],
  ) {
    super(`A refund cannot be sent to ${to}: it is ${hits.map(describeHit).join('; ')}.`);
  }

  /** The problem's extra members: the destination and what named it. */
  override get details(): Record<string, unknown> {
    return { to: this.to, hits: this.hits };
  }
}

/** The hold's reason as a person reads it. */
export function holdReasonOf(sender: string, hits: readonly ScreeningHit[]): string {
  return `sender ${sender} ${hits.map(describeHit).join('; ')}`;
}

export const holdStates = ['held', 'released', 'rejected'] as const;
export type HoldState = (typeof holdStates)[number];

/** A held transfer: the sighting that would have credited it, why it was held, and the decision on it. */
export interface Hold {
  /** The transfer's id (`chainId:txHash:logIndex`). */
  id: string;
  state: HoldState;
  holdReason: string;
  hits: ScreeningHit[];
  invoiceId: string;
  ministry: string;
  chainId: number;
  token: string;
  from: string;
  to: string;
  /** Token base units. */
  amount: string;
  /** Micro-USD it is worth at face value. */
  microUsd: string;
  /** The sighting held, sent through reconciliation again on a decision. */
  sighting: TransferObserved;
  heldAt: string;
  decision?: { by: string; role: string; at: string; reason: string };
}

/** The wire form of a hold (`GET /v1/holds`): everything but the stored sighting. */
export function holdToWire(hold: Hold) {
  const { sighting: _sighting, ...wire } = hold;
  return {
    ...wire,
    txHash: hold.sighting.txHash,
    logIndex: hold.sighting.logIndex,
    blockNumber: hold.sighting.blockNumber,
  };
}

/**
 * The sighting a decision sends back through reconciliation: as first seen, but without the claims that were true
 * only then (finality, the deep re-check, the routing hint): the confirmer reads the chain again before it counts.
 */
export function sightingToReplay(hold: Hold): TransferObserved {
  const { final: _final, deep: _deep, hint: _hint, ...sighting } = hold.sighting;
  return { ...sighting, correlationId: sighting.correlationId ?? `hold:${hold.id}` };
}
