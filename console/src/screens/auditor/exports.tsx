/**
 * Exports: request one for a period (POST /v1/exports), follow the ones this browser requested, open one by id.
 * The API lists no exports, so the console remembers the ids it requested (files.ts, `knownExports`).
 */
import { useState } from 'preact/hooks';
import type { Problem, ScreenProps } from '../../contract';
import { type ExportJobView, knownExports, periodOf } from './files';
import { fill, formatInstant, strings } from './strings';

const today = () => new Date().toISOString().slice(0, 10);
const problemText = (body: unknown) => {
  const p = body as Problem | undefined;
  return [p?.title, p?.detail, ...(p?.errors ?? []).map((e) => `${e.field}: ${e.message}`)].filter(Boolean).join(' — ');
};

/** `#/exports`: the request form, the exports requested here, and opening one by id. */
export function ExportsScreen({ api, lang }: ScreenProps) {
  const t = strings[lang];
  const [fromDay, setFromDay] = useState(today());
  const [toDay, setToDay] = useState(today());
  const [ministry, setMinistry] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [known, setKnown] = useState(() => knownExports.list());
  const [openId, setOpenId] = useState('');
  const period = fromDay && toDay ? periodOf(fromDay, toDay) : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!period) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { ...period, ...(ministry ? { ministry: ministry.toUpperCase() } : {}) };
      const answer = await api.request<ExportJobView>('POST', '/v1/exports', { body });
      if (!answer.ok) {
        setError(problemText(answer.body));
        return;
      }
      setKnown(knownExports.add(answer.body.id));
      location.hash = `#/exports/${encodeURIComponent(answer.body.id)}`;
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="screen auditor-exports">
      <h2>{t.exportsTitle}</h2>
      <form onSubmit={submit} aria-labelledby="request-export-heading">
        <h3 id="request-export-heading">{t.requestTitle}</h3>
        <p>
          <label for="export-from">{t.fromDay}</label>
          <input
            id="export-from"
            type="date"
            required
            value={fromDay}
            max={today()}
            onInput={(e) => setFromDay((e.currentTarget as HTMLInputElement).value)}
          />
        </p>
        <p>
          <label for="export-to">{t.toDay}</label>
          <input
            id="export-to"
            type="date"
            required
            value={toDay}
            max={today()}
            onInput={(e) => setToDay((e.currentTarget as HTMLInputElement).value)}
          />
        </p>
        <p>
          <label for="export-ministry">{t.ministryCode}</label>
          <input
            id="export-ministry"
            value={ministry}
            autocomplete="off"
            pattern="[A-Za-z0-9_]{2,16}"
            aria-describedby="export-ministry-hint"
            onInput={(e) => setMinistry((e.currentTarget as HTMLInputElement).value.trim())}
          />
          <small id="export-ministry-hint">{t.ministryHint}</small>
        </p>
        {period && (
          <p id="export-period">
            {fill(t.periodNote, { from: formatInstant(lang, period.from), to: formatInstant(lang, period.to) })}
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? t.requesting : t.request}
        </button>
      </form>

      <section aria-labelledby="known-exports-heading">
        <h3 id="known-exports-heading">{t.knownTitle}</h3>
        {known.length === 0 ? (
          <p>{t.none}</p>
        ) : (
          <ul>
            {known.map((id) => (
              <li key={id}>
                <a href={`#/exports/${encodeURIComponent(id)}`}>{id}</a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <form
        aria-labelledby="open-export-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (openId) location.hash = `#/exports/${encodeURIComponent(openId)}`;
        }}
      >
        <h3 id="open-export-heading">{t.openById}</h3>
        <label for="open-export-id">{t.exportId}</label>
        <input
          id="open-export-id"
          value={openId}
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => setOpenId((e.currentTarget as HTMLInputElement).value.trim())}
        />
        <button type="submit">{t.open}</button>
      </form>
    </div>
  );
}
