/**
 * Dependency checks behind `GET /v1/health`. Each probe is given a deadline; a failing dependency is reported,
 * never thrown, so the caller sees the state of every dependency at once.
 */
import type { HealthProbe } from '../ports';

/** The outcome of one dependency check. */
export interface CheckResult {
  status: 'ok' | 'failing';
  latencyMs: number;
  detail?: string;
  [extra: string]: unknown;
}

/** The health report: overall `ok` only when every check is. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, CheckResult>;
}

/** Runs every probe concurrently with a deadline each. */
export async function checkHealth(probes: Record<string, HealthProbe>, deadlineMs = 3_000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const facts = await Promise.race([
          probe(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
          }),
        ]);
        return [name, { status: 'ok', latencyMs: Math.round(performance.now() - started), ...facts }];
      } catch (error) {
        // The message only: a dependency's stack or request could carry a URL with credentials.
        const detail = error instanceof Error ? error.message.slice(0, 200) : 'failed';
        return [name, { status: 'failing', latencyMs: Math.round(performance.now() - started), detail }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  return { status: entries.every(([, c]) => c.status === 'ok') ? 'ok' : 'degraded', checks };
}
