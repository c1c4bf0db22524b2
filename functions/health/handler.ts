/**
 * Health (shared/app/health.ts over shared/adapters/health-probes.ts).
 *
 * - `GET /v1/health` (public; cached at the edge for `HEALTH_CACHE_SECONDS`, infra/edge.ts): liveness and the
 *   receipt signer's address, which anyone verifying receipts and export manifests offline needs. It calls no
 *   dependency but KMS's public key (read once per container), so a flood of health checks costs no RPC calls and
 *   reveals nothing about queues or chains.
 * - `GET /v1/ops/health` (operator): the state of every dependency (table, each queue's depth, each chain's RPC
 *   head, the signer); 200 when all are ok, 503 otherwise, the body saying which failed.
 */
import { serviceHealthProbes, signerProbe } from '../../shared/adapters/health-probes';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { checkHealth, type HealthReport } from '../../shared/app/health';

const probes = serviceHealthProbes();

const signerOf = (report: HealthReport) => report.checks.signer?.address ?? null;

export const handler = httpRoutes({
  'GET /v1/health': httpRoute({ auth: 'public' }, async () => {
    const report = await checkHealth({ signer: signerProbe });
    return { status: report.status === 'ok' ? 200 : 503, body: { status: report.status, signer: signerOf(report) } };
  }),
  'GET /v1/ops/health': httpRoute({ auth: ['operator'] }, async () => {
    const report = await checkHealth(probes);
    return { status: report.status === 'ok' ? 200 : 503, body: { ...report, signer: signerOf(report) } };
  }),
});
