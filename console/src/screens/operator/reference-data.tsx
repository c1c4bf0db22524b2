/**
 * Reference data for operators (issue 18, docs/reference-data.md): per kind (fees, the MRP of each year, ministries'
 * registries) the version in force now and those scheduled (`GET /v1/admin/reference/{kind}`), the changes with
 * approve and reject (four eyes), and the forms to propose a fee, a year's MRP and a registry endpoint.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ConsoleApi, ConsoleLang, ScreenProps } from '../../contract';
import { formatDateTime, formatFeeAmount, formatKzt } from '../../format';
import { common, ProblemView, Short, TableWrap, useResource } from '../../ui';
import { ChangesSection } from './reference-changes';
import { FeeForm, MrpForm, RegistryForm } from './reference-forms';
import {
  type FeeWire,
  inForceAndScheduled,
  type ListedVersion,
  type ReferenceKind,
  type ValueWire,
  type VersionWire,
} from './reference-model';
import { referenceStrings } from './reference-strings';

/** The versions of one kind, read again when `refresh` changes. */
function useVersions(api: ConsoleApi, kind: ReferenceKind, refresh: number) {
  return useResource(
    () => api.request<{ items: VersionWire[] }>('GET', `/v1/admin/reference/${kind}`),
    `${kind}#${refresh}`,
  );
}

/** Whether a listed version is in force or scheduled, and from when. */
function When({ listed, lang }: { listed: ListedVersion; lang: ConsoleLang }) {
  const t = referenceStrings[lang];
  // A seed version is in force from the epoch: say what it is rather than show 1970.
  if (Date.parse(listed.version.effectiveFrom) === 0) return <span class="badge badge-in-force">{t.seeded}</span>;
  return (
    <>
      <span class={`badge ${listed.scheduled ? 'badge-scheduled' : 'badge-in-force'}`}>
        {listed.scheduled ? t.scheduledFrom : t.inForceSince}
      </span>{' '}
      {formatDateTime(listed.version.effectiveFrom, lang)}
    </>
  );
}

/** The cells a kind shows of its value, with their headers. */
function valueColumns(kind: ReferenceKind, lang: ConsoleLang): { header: string; cell: (v: ValueWire) => string }[] {
  const t = referenceStrings[lang];
  if (kind === 'fee') {
    const fee = (v: ValueWire) => (v.kind === 'fee' ? v.fee : undefined);
    return [
      { header: t.code, cell: (v) => fee(v)?.code ?? '' },
      { header: t.ministry, cell: (v) => fee(v)?.ministry ?? '' },
      { header: t.title, cell: (v) => fee(v)?.title[lang] ?? '' },
      { header: t.amount, cell: (v) => formatFeeAmount(fee(v)?.amount, lang) },
    ];
  }
  if (kind === 'mrp')
    return [
      { header: t.year, cell: (v) => (v.kind === 'mrp' ? String(v.year) : '') },
      { header: t.kztPerMrp, cell: (v) => (v.kind === 'mrp' ? formatKzt(v.kzt, lang) : '') },
    ];
  const registry = (v: ValueWire) => (v.kind === 'registry' ? v : undefined);
  return [
    { header: t.ministry, cell: (v) => registry(v)?.ministry ?? '' },
    { header: t.url, cell: (v) => registry(v)?.url ?? '' },
    { header: t.format, cell: (v) => registry(v)?.format ?? '' },
  ];
}

/** One kind's versions in force and scheduled, as a table under its heading. */
function VersionsTable(props: {
  kind: ReferenceKind;
  heading: string;
  lang: ConsoleLang;
  resource: ReturnType<typeof useVersions>;
  now: Date;
}) {
  const { lang, resource } = props;
  const t = referenceStrings[lang];
  const c = common[lang];
  const columns = valueColumns(props.kind, lang);
  const listed = resource.result?.ok ? inForceAndScheduled(resource.result.body.items, props.now) : undefined;
  return (
    <section aria-labelledby={`${props.kind}-versions`}>
      <h2 id={`${props.kind}-versions`}>{props.heading}</h2>
      <ProblemView result={resource.result} lang={lang} />
      {resource.loading && !listed ? <p>{c.loading}</p> : null}
      {listed ? (
        <TableWrap label={`${props.heading}: ${c.table}`}>
          <table>
            <caption class="sr-only">{props.heading}</caption>
            <thead>
              <tr>
                {columns.map((col) => (
                  <th key={col.header} scope="col">
                    {col.header}
                  </th>
                ))}
                <th scope="col">{t.when}</th>
                <th scope="col">{t.version}</th>
                <th scope="col">{t.approvedBy}</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((l) => (
                <tr key={l.version.id}>
                  {columns.map((col) => (
                    <td key={col.header}>{col.cell(l.version.value)}</td>
                  ))}
                  <td>
                    <When listed={l} lang={lang} />
                  </td>
                  <td>
                    <Short value={l.version.id} />
                  </td>
                  <td>{l.version.approvedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {listed.length === 0 ? <p>{c.none}</p> : null}
        </TableWrap>
      ) : null}
    </section>
  );
}

const DAY_MS = 86_400_000;
const KZ_OFFSET_MS = 5 * 3_600_000;

/**
 * The year whose MRP is missing 30 days ahead (as the service's `MrpMissingAhead` alarm decides), shown as an alert
 * so the operator on duty enters it before MRP fees stop on 1 January; undefined when it is entered.
 */
function missingMrpYear(resource: ReturnType<typeof useVersions>, now: Date): number | undefined {
  if (!resource.result?.ok) return undefined;
  const year = new Date(now.getTime() + 30 * DAY_MS + KZ_OFFSET_MS).getUTCFullYear();
  return resource.result.body.items.some((v) => v.subject === String(year)) ? undefined : year;
}

function Columns({ children }: { children: ComponentChildren }) {
  return <div class="columns">{children}</div>;
}

export function ReferenceData({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = referenceStrings[lang];
  // Proposals change the changes list; decisions change the versions too.
  const [proposals, setProposals] = useState(0);
  const [decisions, setDecisions] = useState(0);
  const fees = useVersions(api, 'fee', decisions);
  const mrp = useVersions(api, 'mrp', decisions);
  const registries = useVersions(api, 'registry', decisions);
  const now = new Date();
  const feesInForce = fees.result?.ok
    ? inForceAndScheduled(fees.result.body.items, now)
        .filter((l) => !l.scheduled && l.version.value.kind === 'fee')
        .map((l) => (l.version.value as { fee: FeeWire }).fee)
    : [];
  const proposed = () => setProposals((n) => n + 1);
  const missingYear = missingMrpYear(mrp, now);
  return (
    <>
      {missingYear ? (
        <p class="problem" role="alert">
          {t.mrpMissing.replace('{year}', String(missingYear))}
        </p>
      ) : null}
      <ChangesSection
        api={api}
        lang={lang}
        session={session}
        refresh={proposals}
        onDecided={() => setDecisions((n) => n + 1)}
      />
      <VersionsTable kind="fee" heading={t.fees} lang={lang} resource={fees} now={now} />
      <VersionsTable kind="mrp" heading={t.mrp} lang={lang} resource={mrp} now={now} />
      <VersionsTable kind="registry" heading={t.registries} lang={lang} resource={registries} now={now} />
      <Columns>
        <FeeForm api={api} lang={lang} bases={feesInForce} onProposed={proposed} />
        <MrpForm api={api} lang={lang} onProposed={proposed} />
        <RegistryForm api={api} lang={lang} onProposed={proposed} />
      </Columns>
    </>
  );
}
