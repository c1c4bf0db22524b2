/**
 * GET /v1/health — liveness and the state of every dependency (shared/app/health.ts over
 * shared/adapters/health-probes.ts): 200 when all are ok, 503 otherwise; the body says which failed.
 */
import { serviceHealthProbes } from '../../shared/adapters/health-probes';
import { httpRoute } from '../../shared/adapters/http';
import { checkHealth } from '../../shared/app/health';

const probes = serviceHealthProbes();

export const handler = httpRoute({ auth: 'public' }, async () => {
  const report = await checkHealth(probes);
  // The receipt signer's address is published so anyone can verify receipts and export manifests offline.
  const signer = report.checks.signer?.address ?? null;
  return { status: report.status === 'ok' ? 200 : 503, body: { ...report, signer } };
});
