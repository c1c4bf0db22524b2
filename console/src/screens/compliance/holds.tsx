/**
 * Holds: transfers screening stopped before credit. Compliance releases one (reconciled as if just arrived) or rejects
 * it (recorded in suspense as `sender_rejected`), each with a reason the journal keeps.
 */
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang, ScreenProps } from '../../contract';
import { formatDateTime, formatMicroUsd } from '../../format';
import { PagedTable } from '../../paged-table';
import { common, ProblemView, Short, StateBadge } from '../../ui';
import { complianceStrings } from './strings';

interface Hold {
  id: string;
  state: string;
  holdReason: string;
  invoiceId: string;
  ministry: string;
  from: string;
  microUsd: string;
  heldAt: string;
  decision?: { by: string; at: string; reason: string };
}

function Decide({ api, lang, hold, onDone }: { api: ConsoleApi; lang: ConsoleLang; hold: Hold; onDone: () => void }) {
  const t = complianceStrings[lang];
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  const decide = async (action: 'release' | 'reject') => {
    if (!reason.trim()) return;
    const result = await api.request('POST', `/v1/holds/${encodeURIComponent(hold.id)}/${action}`, {
      body: { reason: reason.trim() },
    });
    setAnswer(result);
    if (result.ok) onDone();
  };
  return (
    <form class="actions" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t.decisionReason}
        <input
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="button" disabled={!reason.trim()} onClick={() => decide('release')}>
        {t.release}
      </button>
      <button type="button" class="danger" disabled={!reason.trim()} onClick={() => decide('reject')}>
        {t.reject}
      </button>
      <ProblemView result={answer} lang={lang} />
    </form>
  );
}

const STATES = ['held', 'released', 'rejected'];

export function Holds({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = complianceStrings[lang];
  const c = common[lang];
  const [state, setState] = useState('held');
  const [refresh, setRefresh] = useState(0);
  return (
    <>
      <div class="filters">
        <label>
          {c.status}
          <select name="state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedTable<Hold>
        api={api}
        lang={lang}
        path="/v1/holds"
        query={`?state=${state}&limit=25`}
        caption={t.hold}
        refresh={refresh}
        rowKey={(h) => h.id}
        columns={[
          { header: t.hold, cell: (h) => <Short value={h.id} /> },
          { header: t.invoice, cell: (h) => <code>{h.invoiceId}</code> },
          { header: t.from, cell: (h) => <Short value={h.from} /> },
          { header: t.amount, numeric: true, cell: (h) => formatMicroUsd(h.microUsd, lang) },
          { header: t.holdReason, cell: (h) => h.holdReason },
          { header: t.heldAt, cell: (h) => formatDateTime(h.heldAt, lang) },
          {
            header: t.decision,
            cell: (h) =>
              h.state === 'held' && session.role === 'compliance' ? (
                <Decide api={api} lang={lang} hold={h} onDone={() => setRefresh((n) => n + 1)} />
              ) : (
                <>
                  <StateBadge state={h.state} /> {h.decision ? `${h.decision.by}: ${h.decision.reason}` : ''}
                </>
              ),
          },
        ]}
      />
    </>
  );
}
