/**
 * Dead-letter queues: replay one queue's dead letters (`POST /v1/ops/replay`, up to 1,000 a call; call again while
 * 1,000 moved). Which queues have dead letters shows on the health screen's queue depths and the alarms.
 */
import { useState } from 'preact/hooks';
import type { ApiResult, ScreenProps } from '../../contract';
import { ProblemView } from '../../ui';
import { operatorStrings } from './strings';

/** The queues whose dead letters the replay function may move (docs/api.md). */
const QUEUES = ['transfers', 'finals', 'outbox', 'addressWatch', 'exports'] as const;

export function DeadLetters({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  const [queue, setQueue] = useState<string>('outbox');
  const [answer, setAnswer] = useState<ApiResult<{ queue: string; moved: number }> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const replay = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setAnswer(await api.request<{ queue: string; moved: number }>('POST', '/v1/ops/replay', { body: { queue } }));
    setBusy(false);
  };
  return (
    <form class="card form" onSubmit={replay}>
      <label>
        {t.queue}
        <select name="queue" value={queue} onChange={(e) => setQueue((e.target as HTMLSelectElement).value)}>
          {QUEUES.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {t.replay}
      </button>
      <ProblemView result={answer} lang={lang} />
      {answer?.ok ? (
        <p role="status">
          {answer.body.queue}: {t.moved} {answer.body.moved}
        </p>
      ) : null}
    </form>
  );
}
