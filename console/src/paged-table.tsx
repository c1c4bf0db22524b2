/** A paged list route shown as a table: the columns say what each cell shows; the API's problem shows above it. */
import type { ComponentChildren } from 'preact';
import type { ConsoleApi, ConsoleLang } from './contract';
import { common, type Page, Pager, ProblemView, TableWrap, usePages } from './ui';

/** One column: its header and what a row shows in it. */
export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
  numeric?: boolean;
}

/**
 * The rows of `path` + `query` (a `?…` string, or empty), a page at a time; `refresh` changes when the caller
 * wants the list read again (after an action on a row).
 */
export function PagedTable<T>(props: {
  api: ConsoleApi;
  lang: ConsoleLang;
  path: string;
  query: string;
  caption: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  refresh?: number;
}) {
  const { api, lang, path, query } = props;
  const c = common[lang];
  const pages = usePages<T>(
    (cursor) => {
      const cursorPart = cursor ? `${query ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : '';
      return api.request<Page<T>>('GET', `${path}${query}${cursorPart}`);
    },
    `${path}${query}#${props.refresh ?? 0}`,
  );
  return (
    <>
      <ProblemView result={pages.result} lang={lang} />
      {pages.loading && !pages.page ? <p>{c.loading}</p> : null}
      {pages.page ? (
        <TableWrap label={props.caption}>
          <table>
            <caption class="sr-only">{props.caption}</caption>
            <thead>
              <tr>
                {props.columns.map((col) => (
                  <th key={col.header} scope="col" class={col.numeric ? 'num' : undefined}>
                    {col.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {pages.page.items.map((row) => (
                <tr key={props.rowKey(row)}>
                  {props.columns.map((col) => (
                    <td key={col.header} class={col.numeric ? 'num' : undefined}>
                      {col.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {pages.page.items.length === 0 ? <p>{c.none}</p> : null}
        </TableWrap>
      ) : null}
      <Pager lang={lang} {...pages} />
    </>
  );
}
