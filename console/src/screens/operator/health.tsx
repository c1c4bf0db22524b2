/**
 * The service's health: for operators every dependency's check with its latency, queue depth or detail
 * (`GET /v1/ops/health`, operators only); for everyone else the public liveness and the signer (`GET /v1/health`).
 */
import type { ScreenProps } from '../../contract';
import { common, ProblemView, StateBadge, TableWrap, useResource } from '../../ui';
import { operatorStrings } from './strings';

interface Health {
  status: string;
  checks?: Record<
    string,
    { status: string; latencyMs: number; depth?: number; blockNumber?: string; detail?: string; address?: string }
  >;
  signer: string | null;
}

export function HealthScreen({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  const path = session.role === 'operator' ? '/v1/ops/health' : '/v1/health';
  const health = useResource(() => api.request<Health>('GET', path), 'health');
  // A degraded service answers 503 with the same report: show it rather than an error.
  const body = health.result?.body;
  const report = body && typeof body === 'object' && 'signer' in body ? body : undefined;
  return (
    <>
      <button type="button" onClick={health.reload}>
        {t.refresh}
      </button>
      {health.loading ? <p>{common[lang].loading}</p> : null}
      {report ? (
        <>
          <p>
            {t.overall}: <StateBadge state={report.status} /> · {t.signer}:{' '}
            <code class="wrap">{report.signer ?? '—'}</code>
          </p>
          {report.checks ? (
            <TableWrap label={common[lang].table}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t.check}</th>
                    <th scope="col">{t.state}</th>
                    <th scope="col" class="num">
                      {t.latency}
                    </th>
                    <th scope="col">{t.detail}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(report.checks ?? {}).map(([name, check]) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <StateBadge state={check.status} />
                      </td>
                      <td class="num">{check.latencyMs}</td>
                      <td>
                        {check.depth !== undefined ? `depth ${check.depth}` : ''}
                        {check.blockNumber ? `block ${check.blockNumber}` : ''}
                        {check.detail ?? ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
        </>
      ) : (
        <ProblemView result={health.result} lang={lang} />
      )}
    </>
  );
}
