/**
 * Pieces every screen uses: loading an API resource, showing a problem (title, detail, each field's error), paging
 * through `nextCursor`, copy and QR buttons, and the common words in kk, ru and en.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import type { ApiResult, ConsoleLang, Problem, Strings } from './contract';

/** Words shared by many screens. */
export const common: Strings<
  | 'loading'
  | 'previous'
  | 'next'
  | 'page'
  | 'none'
  | 'copy'
  | 'copied'
  | 'search'
  | 'clear'
  | 'status'
  | 'any'
  | 'from'
  | 'to'
  | 'actions'
  | 'reason'
  | 'error'
  | 'file'
  | 'table'
> = {
  kk: {
    loading: 'Жүктелуде…',
    previous: 'Алдыңғы',
    next: 'Келесі',
    page: 'Бет',
    none: 'Ештеңе жоқ.',
    copy: 'Көшіру',
    copied: 'Көшірілді',
    search: 'Іздеу',
    clear: 'Тазалау',
    status: 'Күйі',
    any: 'Кез келген',
    from: 'Бастап',
    to: 'Дейін',
    actions: 'Әрекеттер',
    reason: 'Себебі',
    error: 'Қате',
    file: 'Файл',
    table: 'Кесте',
  },
  ru: {
    loading: 'Загрузка…',
    previous: 'Назад',
    next: 'Далее',
    page: 'Страница',
    none: 'Ничего нет.',
    copy: 'Копировать',
    copied: 'Скопировано',
    search: 'Найти',
    clear: 'Сбросить',
    status: 'Статус',
    any: 'Любой',
    from: 'С',
    to: 'По',
    actions: 'Действия',
    reason: 'Причина',
    error: 'Ошибка',
    file: 'Файл',
    table: 'Таблица',
  },
  en: {
    loading: 'Loading…',
    previous: 'Previous',
    next: 'Next',
    page: 'Page',
    none: 'Nothing here.',
    copy: 'Copy',
    copied: 'Copied',
    search: 'Search',
    clear: 'Clear',
    status: 'Status',
    any: 'Any',
    from: 'From',
    to: 'To',
    actions: 'Actions',
    reason: 'Reason',
    error: 'Error',
    file: 'File',
    table: 'Table',
  },
};

/** An API resource loaded when `key` changes; `reload` reads it again. */
export function useResource<T>(load: () => Promise<ApiResult<T>>, key: string) {
  const [result, setResult] = useState<ApiResult<T> | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then((r) => {
      if (!current) return;
      setResult(r);
      setLoading(false);
    });
    return () => {
      current = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { result, loading, reload };
}

/** A page of a list route: `{items, nextCursor}`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cursor paging over a list route: `query` holds the filters (a new query starts at page 1); the cursors of the
 * pages already seen are kept so Previous goes back without a second cursor from the API.
 */
export function usePages<T>(fetchPage: (cursor?: string) => Promise<ApiResult<Page<T>>>, query: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [query]);
  const cursor = cursors[cursors.length - 1];
  const resource = useResource(() => fetchPage(cursor), `${query}|${cursor ?? ''}`);
  const page = resource.result?.ok ? resource.result.body : undefined;
  return {
    ...resource,
    page,
    number: cursors.length,
    hasPrevious: cursors.length > 1,
    hasNext: Boolean(page?.nextCursor),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    next: () => page?.nextCursor && setCursors((c) => [...c, page.nextCursor ?? undefined]),
  };
}

/** A query string of the set values only. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** An error answer as the reader needs it: the problem's title, detail and each field's message; polite alert. */
export function ProblemView({ result, lang }: { result?: ApiResult<unknown>; lang: ConsoleLang }) {
  if (!result || result.ok) return null;
  const problem = (result.body ?? {}) as Problem;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>
          {common[lang].error} {result.status || ''}: {problem.title ?? ''}
        </strong>
      </p>
      {problem.detail && <p>{problem.detail}</p>}
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Previous/next buttons of a paged list. */
export function Pager(props: {
  lang: ConsoleLang;
  number: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous: () => void;
  next: () => void;
}) {
  const t = common[props.lang];
  return (
    <nav class="pager" aria-label={t.page}>
      <button type="button" disabled={!props.hasPrevious} onClick={props.previous}>
        {t.previous}
      </button>
      <span>
        {t.page} {props.number}
      </span>
      <button type="button" disabled={!props.hasNext} onClick={props.next}>
        {t.next}
      </button>
    </nav>
  );
}

/** Copies `text` to the clipboard; says so for screen readers too. */
export function CopyButton({ text, lang, label }: { text: string; lang: ConsoleLang; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() =>
        navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        )
      }
    >
      {label ?? common[lang].copy}
      <span aria-live="polite">{done ? ` ✓ ${common[lang].copied}` : ''}</span>
    </button>
  );
}

/** A QR code of `text`, drawn here as SVG (no image service), described by `label`. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(setSvg, () => setSvg(''));
  }, [text]);
  // The SVG is generated in this page from `text` by the qrcode library: markup of our own, not the API's.
  return <div class="qr" role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: svg }} />;
}

/** A state word in a badge whose colour follows the state. */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge badge-${state}`}>{state}</span>;
}

/** Shortens a long hash or address for a table cell; the whole value stays in the title and for screen readers. */
export function Short({ value }: { value: string }) {
  if (value.length <= 18) return <code>{value}</code>;
  return (
    <code title={value}>
      <span aria-hidden="true">
        {value.slice(0, 10)}…{value.slice(-6)}
      </span>
      <span class="sr-only">{value}</span>
    </code>
  );
}

/**
 * A table's frame, which scrolls sideways when the table is wider than the screen: a named region that takes focus,
 * so a keyboard can scroll it too (axe `scrollable-region-focusable`).
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll.
    <section class="table-wrap" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
