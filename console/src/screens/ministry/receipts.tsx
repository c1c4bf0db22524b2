/** Receipts search: by fee code, payer BIN and issue day, a page at a time, with each receipt's registry delivery. */
import { useState } from 'preact/hooks';
import type { ScreenProps } from '../../contract';
import { dayBoundary, formatDateTime, formatMicroUsd } from '../../format';
import { href } from '../../router';
import { common, type Page, Pager, ProblemView, queryString, StateBadge, TableWrap, usePages } from '../../ui';
import { PayerPeriodFields } from './filters';
import { ministryStrings } from './strings';

interface ReceiptRow {
  receiptId: string;
  receiptNo: string;
  kind?: string;
  invoiceId: string;
  feeCode: string;
  payer: { bin: string; name: string };
  paidMicroUsd: string;
  issuedAt: string;
  delivery?: { state: string };
}

export function Receipts({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = ministryStrings[lang];
  const c = common[lang];
  const [draft, setDraft] = useState({ feeCode: '', payerBin: '', from: '', to: '' });
  const [filters, setFilters] = useState(draft);
  const query = queryString({
    feeCode: filters.feeCode,
    payerBin: filters.payerBin,
    from: filters.from && dayBoundary(filters.from, 'from'),
    to: filters.to && dayBoundary(filters.to, 'to'),
    limit: 25,
  });
  const pages = usePages<ReceiptRow>(
    (cursor) =>
      api.request<Page<ReceiptRow>>(
        'GET',
        `/v1/receipts${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    query,
  );
  const set = (name: keyof typeof draft) => (e: Event) =>
    setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value });
  return (
    <>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <label>
          {t.feeCode}
          <input name="feeCode" value={draft.feeCode} onInput={set('feeCode')} />
        </label>
        <PayerPeriodFields lang={lang} draft={draft} set={set} />
      </form>
      <ProblemView result={pages.result} lang={lang} />
      {pages.loading ? <p>{c.loading}</p> : null}
      {pages.page && (
        <TableWrap label={common[lang].table}>
          <table>
            <caption class="sr-only">{t.receipt}</caption>
            <thead>
              <tr>
                <th scope="col">{t.receiptNo}</th>
                <th scope="col">{t.invoice}</th>
                <th scope="col">{t.payer}</th>
                <th scope="col" class="num">
                  {t.paid}
                </th>
                <th scope="col">{t.issuedAt}</th>
                <th scope="col">{t.delivery}</th>
              </tr>
            </thead>
            <tbody>
              {pages.page.items.map((r) => (
                <tr key={r.receiptId}>
                  <td>
                    {r.receiptNo} <span class="muted">{r.kind === 'annulment' ? 'annulment' : r.receiptId}</span>
                  </td>
                  <td>
                    <a href={href(`invoices/${r.invoiceId}`)}>{r.invoiceId}</a>
                  </td>
                  <td>
                    {r.payer.name} <span class="muted">{r.payer.bin}</span>
                  </td>
                  <td class="num">{formatMicroUsd(r.paidMicroUsd, lang)}</td>
                  <td>{formatDateTime(r.issuedAt, lang)}</td>
                  <td>
                    <StateBadge state={r.delivery?.state ?? 'unknown'} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages.page.items.length === 0 ? <p>{c.none}</p> : null}
        </TableWrap>
      )}
      <Pager lang={lang} {...pages} />
    </>
  );
}
