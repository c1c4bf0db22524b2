/**
 * DynamoDB form of incidents: records a person must review (a reorg after finality, a final transfer gone), kept
 * under the transfer's id, one per kind and block.
 */
import type { Incident } from '../../domain/transfer-change';

export const incidentKeys = {
  incident: (i: Pick<Incident, 'transferId' | 'blockHash' | 'kind'>) => ({
    pk: `INCIDENT#${i.transferId}`,
    sk: i.kind === 'reorg-after-final' ? `REORG#${i.blockHash}` : `${i.kind.toUpperCase()}#${i.blockHash}`,
  }),
};
