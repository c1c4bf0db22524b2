/** The health check over injected probes: every dependency reported, none thrown, each held to its deadline. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkHealth } from '../../shared/app/health';

afterEach(() => {
  vi.useRealTimers();
});

describe('checkHealth', () => {
  it('is ok when every probe is, with the facts each reports', async () => {
    const report = await checkHealth({
      table: async () => undefined,
      'queue:outbox': async () => ({ depth: 3 }),
    });
    expect(report.status).toBe('ok');
    expect(report.checks.table).toMatchObject({ status: 'ok' });
    expect(report.checks['queue:outbox']).toMatchObject({ status: 'ok', depth: 3 });
    expect(typeof report.checks.table?.latencyMs).toBe('number');
  });

  it('reports a failing dependency by its message only, beside the healthy ones', async () => {
    const report = await checkHealth({
      table: async () => undefined,
      'chain:1': async () => {
        throw new Error(`RPC serves chain 5, expected 1 ${'x'.repeat(300)}`);
      },
      odd: () => Promise.reject('not an error'),
    });
    expect(report.status).toBe('degraded');
    expect(report.checks.table?.status).toBe('ok');
    expect(report.checks['chain:1']).toMatchObject({ status: 'failing' });
    expect(report.checks['chain:1']?.detail).toHaveLength(200);
    expect(report.checks['chain:1']?.detail).toMatch(/^RPC serves chain 5, expected 1/);
    expect(report.checks.odd).toMatchObject({ status: 'failing', detail: 'failed' });
  });

  it('fails a probe that does not answer within its deadline, without waiting for it', async () => {
    vi.useFakeTimers();
    const pending = checkHealth({ signer: () => new Promise(() => {}), table: async () => undefined }, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const report = await pending;
    expect(report.status).toBe('degraded');
    expect(report.checks.signer).toMatchObject({ status: 'failing', detail: 'no answer within 1000 ms' });
    expect(report.checks.table?.status).toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
  });
});
