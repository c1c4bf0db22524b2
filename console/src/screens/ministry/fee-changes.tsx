/**
 * A ministry's fee changes (issue 18): its fees in force (`GET /v1/fees`, its own), the changes of its fees with
 * approve and reject (another person of the ministry approves: four eyes), and the form to propose a fee of its own.
 * The API lets a ministry change only its own fees; the MRP and registries are the operators'.
 */
import { useState } from 'preact/hooks';
import type { ScreenProps } from '../../contract';
import { formatFeeAmount } from '../../format';
import { common, ProblemView, Short, TableWrap, useResource } from '../../ui';
import { ChangesSection } from '../operator/reference-changes';
import { FeeForm } from '../operator/reference-forms';
import type { FeeWire } from '../operator/reference-model';
import { referenceStrings } from '../operator/reference-strings';

export function FeeChanges({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = referenceStrings[lang];
  const c = common[lang];
  const [proposals, setProposals] = useState(0);
  const [decisions, setDecisions] = useState(0);
  const fees = useResource(
    () => api.request<{ items: (FeeWire & { version: string })[] }>('GET', '/v1/fees'),
    `fees#${decisions}`,
  );
  const own = fees.result?.ok ? fees.result.body.items.filter((f) => f.ministry === session.ministry) : undefined;
  return (
    <>
      <ChangesSection
        api={api}
        lang={lang}
        session={session}
        refresh={proposals}
        onDecided={() => setDecisions((n) => n + 1)}
      />
      <section aria-labelledby="own-fees">
        <h2 id="own-fees">{t.ownFees}</h2>
        <ProblemView result={fees.result} lang={lang} />
        {fees.loading && !own ? <p>{c.loading}</p> : null}
        {own ? (
          <TableWrap label={`${t.ownFees}: ${c.table}`}>
            <table>
              <caption class="sr-only">{t.ownFees}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.code}</th>
                  <th scope="col">{t.title}</th>
                  <th scope="col" class="num">
                    {t.amount}
                  </th>
                  <th scope="col">{t.version}</th>
                </tr>
              </thead>
              <tbody>
                {own.map((f) => (
                  <tr key={f.code}>
                    <td>{f.code}</td>
                    <td>{f.title[lang]}</td>
                    <td class="num">{formatFeeAmount(f.amount, lang)}</td>
                    <td>
                      <Short value={f.version} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {own.length === 0 ? <p>{c.none}</p> : null}
          </TableWrap>
        ) : null}
      </section>
      <FeeForm
        api={api}
        lang={lang}
        bases={(own ?? []).map(({ version: _version, ...fee }) => fee)}
        ministry={session.ministry}
        onProposed={() => setProposals((n) => n + 1)}
      />
    </>
  );
}
