/** The ministry's invoices, newest first, filtered by status, payer BIN and creation day, a page at a time. */
import { useState } from 'preact/hooks';
import type { ScreenProps } from '../../contract';
import { dayBoundary, formatDateTime, formatMicroUsd } from '../../format';
import { href } from '../../router';
import { common, type Page, Pager, ProblemView, queryString, StateBadge, TableWrap, usePages } from '../../ui';
import { PayerPeriodFields } from './filters';
import { ministryStrings } from './strings';

/** The invoice fields the list shows. */
export interface InvoiceRow {
  id: string;
  status: string;
  exception: string;
  feeCode: string;
  feeTitle: Record<'kk' | 'ru' | 'en', string>;
  payer: { bin: string; name: string };
  dueMicroUsd: string;
  paidMicroUsd: string;
  createdAt: string;
}

const STATUSES = ['open', 'processing', 'paid', 'expired', 'cancelled'];

export function Invoices({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = ministryStrings[lang];
  const c = common[lang];
  const [draft, setDraft] = useState({ status: '', payerBin: '', from: '', to: '' });
  const [filters, setFilters] = useState(draft);
  const query = queryString({
    status: filters.status,
    payerBin: filters.payerBin,
    from: filters.from && dayBoundary(filters.from, 'from'),
    to: filters.to && dayBoundary(filters.to, 'to'),
    limit: 25,
  });
  const pages = usePages<InvoiceRow>(
    (cursor) =>
      api.request<Page<InvoiceRow>>(
        'GET',
        `/v1/invoices${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
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
          {c.status}
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">{c.any}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <PayerPeriodFields lang={lang} draft={draft} set={set} />
      </form>
      <ProblemView result={pages.result} lang={lang} />
      {pages.loading ? <p>{c.loading}</p> : null}
      {pages.page && (
        <TableWrap label={common[lang].table}>
          <table>
            <caption class="sr-only">{t.invoice}</caption>
            <thead>
              <tr>
                <th scope="col">{t.invoice}</th>
                <th scope="col">{t.fee}</th>
                <th scope="col">{t.payer}</th>
                <th scope="col" class="num">
                  {t.due}
                </th>
                <th scope="col">{c.status}</th>
                <th scope="col">{t.created}</th>
              </tr>
            </thead>
            <tbody>
              {pages.page.items.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={href(`invoices/${i.id}`)}>{i.id}</a>
                  </td>
                  <td>{i.feeTitle?.[lang] ?? i.feeCode}</td>
                  <td>
                    {i.payer.name} <span class="muted">{i.payer.bin}</span>
                  </td>
                  <td class="num">{formatMicroUsd(i.dueMicroUsd, lang)}</td>
                  <td>
                    <StateBadge state={i.status} />
                    {i.exception !== 'none' ? <span class="muted"> {i.exception}</span> : null}
                  </td>
                  <td>{formatDateTime(i.createdAt, lang)}</td>
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
