/**
 * Refunds (four eyes): the list of the caller's refunds with approve and reject for those still `requested` (the API
 * refuses the requester's own approval: the problem says so), and the table the invoice page reuses.
 */
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang, ScreenProps } from '../../contract';
import { formatDateTime, formatTokenAmount } from '../../format';
import { href } from '../../router';
import { common, type Page, Pager, ProblemView, queryString, Short, StateBadge, TableWrap, usePages } from '../../ui';
import { ministryStrings } from './strings';

/** A refund as the API answers it (the fields shown). */
export interface Refund {
  id: string;
  source: { kind: 'invoice'; invoiceId: string } | { kind: 'transfer'; transferId: string };
  chainId: number;
  token: string;
  decimals: number;
  to: string;
  amount: string;
  reason: string;
  state: string;
  requestedBy: string;
  requestedAt: string;
  approvedBy?: string;
  txHash?: string;
}

/**
 * Refunds in a table; `onDecided` runs after an approve or reject so the caller reads them again. A reader who may
 * not decide (an auditor) sees no buttons (`canDecide` false); the API would refuse them anyway.
 */
export function RefundsTable(props: {
  api: ConsoleApi;
  lang: ConsoleLang;
  refunds: Refund[];
  onDecided: () => void;
  canDecide?: boolean;
}) {
  const { api, lang } = props;
  const t = ministryStrings[lang];
  const c = common[lang];
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  const decide = async (id: string, action: 'approve' | 'reject') => {
    const result = await api.request('POST', `/v1/refunds/${encodeURIComponent(id)}/${action}`);
    setAnswer(result);
    if (result.ok) props.onDecided();
  };
  return (
    <>
      <ProblemView result={answer} lang={lang} />
      <TableWrap label={common[lang].table}>
        <table>
          <caption class="sr-only">{t.refunds}</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t.source}</th>
              <th scope="col" class="num">
                {t.amount}
              </th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.requestedBy}</th>
              <th scope="col">{c.reason}</th>
              <th scope="col">{c.actions}</th>
            </tr>
          </thead>
          <tbody>
            {props.refunds.map((r) => (
              <tr key={r.id}>
                <td>
                  <Short value={r.id} />
                </td>
                <td>
                  {r.source.kind === 'invoice' ? (
                    <a href={href(`invoices/${r.source.invoiceId}`)}>{r.source.invoiceId}</a>
                  ) : (
                    <Short value={r.source.transferId} />
                  )}
                </td>
                <td class="num">{formatTokenAmount(r.amount, r.decimals, lang)}</td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>
                  {r.requestedBy}
                  <br />
                  <span class="muted">{formatDateTime(r.requestedAt, lang)}</span>
                </td>
                <td>{r.reason}</td>
                <td>
                  {r.state === 'requested' && props.canDecide !== false ? (
                    <span class="actions">
                      <button type="button" onClick={() => decide(r.id, 'approve')}>
                        {t.approve}
                        <span class="sr-only"> {r.id}</span>
                      </button>
                      <button type="button" onClick={() => decide(r.id, 'reject')}>
                        {t.reject}
                        <span class="sr-only"> {r.id}</span>
                      </button>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.refunds.length === 0 ? <p>{c.none}</p> : null}
      </TableWrap>
    </>
  );
}

const STATES = ['requested', 'approved', 'instructed', 'completed', 'rejected'];

export function Refunds({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const c = common[lang];
  const [state, setState] = useState('');
  const query = queryString({ state, limit: 25 });
  const pages = usePages<Refund>(
    (cursor) =>
      api.request<Page<Refund>>('GET', `/v1/refunds${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    query,
  );
  return (
    <>
      <div class="filters">
        <label>
          {c.status}
          <select name="state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">{c.any}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ProblemView result={pages.result} lang={lang} />
      {pages.page ? <RefundsTable api={api} lang={lang} refunds={pages.page.items} onDecided={pages.reload} /> : null}
      {pages.loading ? <p>{c.loading}</p> : null}
      <Pager lang={lang} {...pages} />
    </>
  );
}
