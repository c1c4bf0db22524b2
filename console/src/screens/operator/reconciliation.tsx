/** Three-way reconciliation for a period (`GET /v1/reconciliation`): summary, matched lines and every exception. */
import { useState } from 'preact/hooks';
import type { ApiResult, ScreenProps } from '../../contract';
import { common, ProblemView, Short, StateBadge, TableWrap } from '../../ui';
import { operatorStrings } from './strings';

interface Reconciliation {
  from: string;
  to: string;
  summary: { lines: number; matched: number; exceptions: number; journalBalanced: boolean; refundOutflows: number };
  items: {
    status: string;
    batchId?: string;
    line?: number;
    txHash?: string;
    fiatCurrency?: string;
    fiatAmount?: string;
    bankReference?: string;
    valueDate?: string;
  }[];
  exceptions: {
    reason: string;
    detail: string;
    batchId?: string;
    line?: number;
    txHash?: string;
    bankReference?: string;
  }[];
}

/** Today and the first of this month in Kazakhstan, as `YYYY-MM-DD`. */
function thisMonth(): { from: string; to: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
  return { from: `${today.slice(0, 8)}01`, to: today };
}

export function ReconciliationScreen({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  const c = common[lang];
  const [period, setPeriod] = useState(thisMonth());
  const [answer, setAnswer] = useState<ApiResult<Reconciliation> | undefined>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    setAnswer(await api.request<Reconciliation>('GET', `/v1/reconciliation?from=${period.from}&to=${period.to}`));
  };
  const r = answer?.ok ? answer.body : undefined;
  return (
    <>
      <form class="filters" onSubmit={submit}>
        <label>
          {t.periodFrom}
          <input
            type="date"
            required
            value={period.from}
            onInput={(e) => setPeriod({ ...period, from: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          {t.periodTo}
          <input
            type="date"
            required
            value={period.to}
            onInput={(e) => setPeriod({ ...period, to: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit" class="primary">
          {t.reconcile}
        </button>
      </form>
      <ProblemView result={answer} lang={lang} />
      {r ? (
        <>
          <h2>{t.summary}</h2>
          <dl class="facts card">
            <dt>{t.lines}</dt>
            <dd>{r.summary.lines}</dd>
            <dt>{t.matched}</dt>
            <dd>{r.summary.matched}</dd>
            <dt>{t.exceptions}</dt>
            <dd>{r.summary.exceptions}</dd>
            <dt>{t.journalBalanced}</dt>
            <dd>{r.summary.journalBalanced ? '✓' : '✗'}</dd>
          </dl>
          <h2>{t.exceptions}</h2>
          {r.exceptions.length === 0 ? (
            <p>{c.none}</p>
          ) : (
            <TableWrap label={common[lang].table}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t.reason}</th>
                    <th scope="col">{t.detail}</th>
                    <th scope="col">{t.lines}</th>
                    <th scope="col">{t.tx}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.exceptions.map((x, i) => (
                    <tr key={`${x.reason}-${i}`}>
                      <td>
                        <StateBadge state={x.reason} />
                      </td>
                      <td>{x.detail}</td>
                      <td>{x.batchId ? `${x.batchId}:${x.line ?? ''}` : (x.bankReference ?? '—')}</td>
                      <td>{x.txHash ? <Short value={x.txHash} /> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <h2>{t.lines}</h2>
          <TableWrap label={common[lang].table}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t.state}</th>
                  <th scope="col">{t.lines}</th>
                  <th scope="col">{t.tx}</th>
                  <th scope="col" class="num">
                    {t.amount}
                  </th>
                  <th scope="col">{t.at}</th>
                </tr>
              </thead>
              <tbody>
                {r.items.map((x, i) => (
                  <tr key={`${x.batchId}-${x.line}-${i}`}>
                    <td>
                      <StateBadge state={x.status} />
                    </td>
                    <td>{x.batchId ? `${x.batchId}:${x.line ?? ''}` : '—'}</td>
                    <td>{x.txHash ? <Short value={x.txHash} /> : '—'}</td>
                    <td class="num">{x.fiatAmount ? `${x.fiatAmount} ${x.fiatCurrency ?? ''}` : '—'}</td>
                    <td>{x.valueDate ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      ) : null}
    </>
  );
}
