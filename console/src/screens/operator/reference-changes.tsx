/**
 * Reference-data changes (`GET /v1/admin/changes`), the pending ones first by default, with approve and reject for
 * those still proposed. Four eyes is the API's rule: a change the signed-in user proposed says so, and the API's
 * refusal of its proposer's approval is shown as it answers it (problem+json), not guessed here.
 */
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang, ConsoleSession } from '../../contract';
import { formatDateTime } from '../../format';
import { common, ProblemView, queryString, Short, TableWrap, useResource } from '../../ui';
import type { ChangeWire } from './reference-model';
import { valueSummary } from './reference-model';
import { referenceStrings } from './reference-strings';

const STATES = ['proposed', 'approved', 'rejected'] as const;

/** A change's state as a badge in the reader's language. */
function ChangeState({ state, lang }: { state: ChangeWire['state']; lang: ConsoleLang }) {
  return <span class={`badge badge-${state}`}>{referenceStrings[lang][`state_${state}`]}</span>;
}

function Decision({ change, lang }: { change: ChangeWire; lang: ConsoleLang }) {
  if (!change.decidedBy) return null;
  return (
    <>
      {change.decidedBy}
      <br />
      <span class="muted">{formatDateTime(change.decidedAt, lang)}</span>
      {change.decisionReason ? (
        <>
          <br />
          {change.decisionReason}
        </>
      ) : null}
    </>
  );
}

function ChangeRow(props: {
  change: ChangeWire;
  lang: ConsoleLang;
  session: ConsoleSession;
  decide: (id: string, action: 'approve' | 'reject') => void;
  busy: boolean;
}) {
  const { change: ch, lang } = props;
  const t = referenceStrings[lang];
  const mine = Boolean(props.session.subject) && props.session.subject === ch.proposedBy;
  return (
    <tr>
      <td>
        <Short value={ch.id} />
      </td>
      <td>{t[`kind_${ch.kind}`]}</td>
      <td>{ch.subject}</td>
      <td>{valueSummary(ch.value, lang)}</td>
      <td>{ch.effectiveFrom ? formatDateTime(ch.effectiveFrom, lang) : t.onApproval}</td>
      <td>
        {ch.proposedBy}
        <br />
        <span class="muted">{formatDateTime(ch.proposedAt, lang)}</span>
      </td>
      <td>{ch.reason}</td>
      <td>
        <ChangeState state={ch.state} lang={lang} />
      </td>
      <td>
        <Decision change={ch} lang={lang} />
      </td>
      <td>
        {ch.state === 'proposed' ? (
          <span class="actions">
            {/* The proposer's approval stays possible here: the API refuses it and says why. */}
            <button type="button" disabled={props.busy} onClick={() => props.decide(ch.id, 'approve')}>
              {t.approve}
              <span class="sr-only"> {ch.id}</span>
            </button>
            <button type="button" disabled={props.busy} onClick={() => props.decide(ch.id, 'reject')}>
              {t.reject}
              <span class="sr-only"> {ch.id}</span>
            </button>
          </span>
        ) : null}
        {ch.state === 'proposed' && mine ? <p class="muted">{t.yours}</p> : null}
      </td>
    </tr>
  );
}

/**
 * The changes the caller may see (a ministry: its own fees'), filtered by state (proposed first); `refresh` changes
 * when the caller proposed one; `onDecided` runs after an approval or rejection (versions change then).
 */
export function ChangesSection(props: {
  api: ConsoleApi;
  lang: ConsoleLang;
  session: ConsoleSession;
  refresh: number;
  onDecided: () => void;
}) {
  const { api, lang } = props;
  const t = referenceStrings[lang];
  const c = common[lang];
  const [state, setState] = useState<string>('proposed');
  const query = queryString({ state });
  const changes = useResource(
    () => api.request<{ items: ChangeWire[] }>('GET', `/v1/admin/changes${query}`),
    `${query}#${props.refresh}`,
  );
  const [answer, setAnswer] = useState<ApiResult<ChangeWire> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const decide = async (id: string, action: 'approve' | 'reject') => {
    setBusy(true);
    const result = await api.request<ChangeWire>('POST', `/v1/admin/changes/${encodeURIComponent(id)}/${action}`);
    setAnswer(result);
    setBusy(false);
    if (result.ok) {
      changes.reload();
      props.onDecided();
    }
  };
  const items = changes.result?.ok ? changes.result.body.items : undefined;
  return (
    <section aria-labelledby="changes-heading">
      <h2 id="changes-heading">{t.changes}</h2>
      <div class="filters">
        <label>
          {c.status}
          <select name="state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">{c.any}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t[`state_${s}`]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ProblemView result={answer} lang={lang} />
      {answer?.ok ? (
        <p role="status">
          {t.decidedOk}: {answer.body.id} — {t[`state_${answer.body.state}`]}
        </p>
      ) : null}
      <ProblemView result={changes.result} lang={lang} />
      {changes.loading && !items ? <p>{c.loading}</p> : null}
      {items ? (
        <TableWrap label={`${t.changes}: ${c.table}`}>
          <table>
            <caption class="sr-only">{t.changes}</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">{t.kind}</th>
                <th scope="col">{t.subject}</th>
                <th scope="col">{t.value}</th>
                <th scope="col">{t.effectiveFrom}</th>
                <th scope="col">{t.proposedBy}</th>
                <th scope="col">{c.reason}</th>
                <th scope="col">{c.status}</th>
                <th scope="col">{t.decision}</th>
                <th scope="col">{c.actions}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ch) => (
                <ChangeRow key={ch.id} change={ch} lang={lang} session={props.session} decide={decide} busy={busy} />
              ))}
            </tbody>
          </table>
          {items.length === 0 ? <p>{c.none}</p> : null}
        </TableWrap>
      ) : null}
    </section>
  );
}
