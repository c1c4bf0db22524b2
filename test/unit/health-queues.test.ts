/**
 * The health function probes every queue of shared/resources.ts (shared/adapters/health-probes.ts), so in the cloud
 * it needs each one's URL and read access: its `inspect` list must name them all, or a new queue turns a deployed
 * health check into a 503 that no local run shows (the local runtime gives every function every queue URL).
 */
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/topology';
import { queues } from '../../shared/resources';

describe('health', () => {
  it('inspects every queue it probes', () => {
    const health = functions.find((f) => f.name === 'health');
    expect([...(health?.access.inspect ?? [])].sort()).toEqual(Object.keys(queues).sort());
  });
});
