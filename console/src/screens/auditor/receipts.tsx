/**
 * Receipts, read-only (`#/audit-receipts`): GET /v1/receipts filtered by ministry, payer BIN and issue period, a page
 * at a time (the API's cursor); each receipt opens in the receipt verification (`#/verify-receipt/<id>`).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Receipt } from '../../../../shared/domain/receipts';
import type { ConsoleLang, Problem, ScreenProps } from '../../contract';
import { fill, formatInstant, strings } from './strings';

interface ReceiptPage {
  items: Receipt[];
  nextCursor?: string | null;
}

const words: Record<
  ConsoleLang,
  Record<'title' | 'payerBin' | 'search' | 'next' | 'first' | 'payer' | 'verify', string>
> = {
  en: {
    title: 'Receipts',
    payerBin: 'Payer BIN',
    search: 'Search',
    next: 'Next page',
    first: 'First page',
    payer: 'Payer',
    verify: 'Verify',
  },
  ru: {
    title: 'Квитанции',
    payerBin: 'БИН плательщика',
    search: 'Найти',
    next: 'Следующая страница',
    first: 'Первая страница',
    payer: 'Плательщик',
    verify: 'Проверить',
  },
  kk: {
    title: 'Түбіртектер',
    payerBin: 'Төлеушінің БСН',
    search: 'Іздеу',
    next: 'Келесі бет',
    first: 'Бірінші бет',
    payer: 'Төлеуші',
    verify: 'Тексеру',
  },
};

/** The receipts list's own strings (beside the shared auditor strings). */
export const receiptListStrings = words;

const usd = (micro: string) => {
  const v = BigInt(micro);
  return `${v / 1_000_000n}.${(v % 1_000_000n).toString().padStart(6, '0')}`;
};

/** `#/audit-receipts`. */
export function ReceiptsScreen({ api, lang }: ScreenProps) {
  const t = { ...strings[lang], ...words[lang] };
  const [ministry, setMinistry] = useState('');
  const [payerBin, setPayerBin] = useState('');
  const [query, setQuery] = useState<Record<string, string>>({});
  const [cursor, setCursor] = useState<string>();
  const [page, setPage] = useState<ReceiptPage>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    const params = new URLSearchParams({ ...query, limit: '25', ...(cursor ? { cursor } : {}) });
    api.request<ReceiptPage>('GET', `/v1/receipts?${params}`).then(
      (answer) => {
        if (!live) return;
        if (answer.ok) {
          setPage(answer.body);
          setError(undefined);
        } else {
          const p = answer.body as unknown as Problem;
          setError(fill(t.loadFailed, { detail: p?.detail ?? p?.title ?? String(answer.status) }));
        }
      },
      (e: Error) => live && setError(fill(t.loadFailed, { detail: e.message })),
    );
    return () => {
      live = false;
    };
  }, [api, query, cursor, t.loadFailed]);

  return (
    <div class="screen auditor-receipts">
      <h2>{t.title}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setCursor(undefined);
          setQuery({
            ...(ministry ? { ministry: ministry.toUpperCase() } : {}),
            ...(payerBin ? { payerBin } : {}),
          });
        }}
      >
        <label for="receipts-ministry">{t.ministryCode}</label>
        <input
          id="receipts-ministry"
          value={ministry}
          autocomplete="off"
          onInput={(e) => setMinistry((e.currentTarget as HTMLInputElement).value.trim())}
        />
        <label for="receipts-bin">{t.payerBin}</label>
        <input
          id="receipts-bin"
          value={payerBin}
          inputMode="numeric"
          pattern="\d{12}"
          autocomplete="off"
          onInput={(e) => setPayerBin((e.currentTarget as HTMLInputElement).value.trim())}
        />
        <button type="submit">{t.search}</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {page && (
        <table class="receipts">
          <caption>{t.title}</caption>
          <thead>
            <tr>
              <th scope="col">{t.ministry}</th>
              <th scope="col">{t.receiptNo}</th>
              <th scope="col">{t.invoice}</th>
              <th scope="col">{t.payer}</th>
              <th scope="col">{t.paid}</th>
              <th scope="col">{t.issuedAt}</th>
              <th scope="col">{t.verify}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((r) => (
              <tr key={r.receiptId}>
                <td>{r.ministry}</td>
                <td>{r.receiptNo}</td>
                <td>{r.invoiceId}</td>
                <td>
                  {r.payer.name} ({r.payer.bin})
                </td>
                <td>{usd(r.paidMicroUsd)}</td>
                <td>{formatInstant(lang, r.issuedAt)}</td>
                <td>
                  <a href={`#/verify-receipt/${encodeURIComponent(r.receiptId)}`}>
                    {t.verify} <span class="visually-hidden">{r.receiptId}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {cursor && (
          <button type="button" onClick={() => setCursor(undefined)}>
            {t.first}
          </button>
        )}{' '}
        {page?.nextCursor && (
          <button type="button" onClick={() => setCursor(page.nextCursor ?? undefined)}>
            {t.next}
          </button>
        )}
      </p>
    </div>
  );
}
