/**
 * The operator's lists: suspense (transfers matched to no invoice, with a refund request for a final one — the API
 * decides whether it may be refunded), sweeps to custody, and freeze incidents.
 */
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang, ScreenProps } from '../../contract';
import { formatDateTime, formatMicroUsd } from '../../format';
import { PagedTable } from '../../paged-table';
import { common, ProblemView, Short, StateBadge } from '../../ui';
import { operatorStrings } from './strings';

interface Transfer {
  id: string;
  chainId: number;
  token: string;
  txHash: string;
  from: string;
  to: string;
  amount: string;
  microUsd: string;
  state: string;
  unmatchedReason: string | null;
  firstSeenAt: string;
}

interface Sweep {
  id: string;
  chainId: number;
  txHash: string;
  invoiceIds: string[];
  amount: string;
  state: string;
  submittedAt: string;
  failure: string | null;
}

interface Incident {
  id: string;
  kind: string;
  chainId: number;
  token: string;
  address: string;
  role: string;
  invoiceId?: string;
  txHash: string;
  at: string;
  detail: string;
}

function SuspenseRefund({
  api,
  lang,
  transfer,
  onDone,
}: {
  api: ConsoleApi;
  lang: ConsoleLang;
  transfer: Transfer;
  onDone: () => void;
}) {
  const t = operatorStrings[lang];
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  if (answer?.ok) return <span>{t.refundRequested}</span>;
  const submit = async (e: Event) => {
    e.preventDefault();
    const result = await api.request('POST', '/v1/refunds', { body: { transferId: transfer.id, reason } });
    setAnswer(result);
    if (result.ok) onDone();
  };
  return (
    <form class="actions" onSubmit={submit}>
      <label>
        <span class="sr-only">
          {t.reason} ({transfer.id})
        </span>
        <input
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          placeholder={t.reason}
        />
      </label>
      <button type="submit">{t.requestRefund}</button>
      <ProblemView result={answer} lang={lang} />
    </form>
  );
}

export function Suspense({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  const [refresh, setRefresh] = useState(0);
  return (
    <PagedTable<Transfer>
      api={api}
      lang={lang}
      path="/v1/transfers"
      query="?match=unmatched&limit=50"
      caption={t.transfer}
      refresh={refresh}
      rowKey={(r) => r.id}
      columns={[
        { header: t.transfer, cell: (r) => <Short value={r.id} /> },
        { header: t.value, numeric: true, cell: (r) => formatMicroUsd(r.microUsd, lang) },
        { header: t.from, cell: (r) => <Short value={r.from} /> },
        { header: t.to, cell: (r) => <Short value={r.to} /> },
        { header: t.reason, cell: (r) => r.unmatchedReason ?? '—' },
        { header: t.state, cell: (r) => <StateBadge state={r.state} /> },
        { header: t.seen, cell: (r) => formatDateTime(r.firstSeenAt, lang) },
        {
          header: common[lang].actions,
          cell: (r) =>
            r.state === 'final' && session.role === 'operator' ? (
              <SuspenseRefund api={api} lang={lang} transfer={r} onDone={() => setRefresh((n) => n + 1)} />
            ) : null,
        },
      ]}
    />
  );
}

export function Sweeps({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  return (
    <PagedTable<Sweep>
      api={api}
      lang={lang}
      path="/v1/sweeps"
      query="?limit=50"
      caption={t.tx}
      rowKey={(r) => r.id}
      columns={[
        { header: t.tx, cell: (r) => <Short value={r.txHash} /> },
        { header: t.chain, cell: (r) => r.chainId },
        { header: t.amount, numeric: true, cell: (r) => r.amount },
        {
          header: t.invoices,
          cell: (r) => (
            <ul class="plain">
              {r.invoiceIds.map((id) => (
                <li key={id}>
                  <code>{id}</code>
                </li>
              ))}
            </ul>
          ),
        },
        { header: t.state, cell: (r) => <StateBadge state={r.state} /> },
        { header: t.submitted, cell: (r) => formatDateTime(r.submittedAt, lang) },
        { header: t.failure, cell: (r) => r.failure ?? '' },
      ]}
    />
  );
}

export function Incidents({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  return (
    <PagedTable<Incident>
      api={api}
      lang={lang}
      path="/v1/incidents"
      query="?limit=50"
      caption={t.kind}
      rowKey={(r) => r.id}
      columns={[
        { header: t.at, cell: (r) => formatDateTime(r.at, lang) },
        { header: t.kind, cell: (r) => <StateBadge state={r.kind} /> },
        { header: t.address, cell: (r) => <Short value={r.address} /> },
        { header: t.chain, cell: (r) => r.chainId },
        { header: t.invoices, cell: (r) => (r.invoiceId ? <code>{r.invoiceId}</code> : '—') },
        { header: t.tx, cell: (r) => <Short value={r.txHash} /> },
        { header: t.detail, cell: (r) => r.detail },
      ]}
    />
  );
}
