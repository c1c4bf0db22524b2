/** The verdict and the list of checks a verification ran: each with its outcome and, when it failed, why. */

import type { VerifyReport } from '../../../../shared/verify';
import type { ConsoleLang } from '../../contract';
import { checkTitle, fill, statusWord, strings } from './strings';

const MARK = { passed: '✓', failed: '✗', 'not-run': '–' } as const;

/** The verdict first (nothing reassuring above a failure), then every check in the order it ran. */
export function VerifyResult({ report, lang }: { report: VerifyReport; lang: ConsoleLang }) {
  const t = strings[lang];
  return (
    <section aria-labelledby="verify-result-heading" data-verdict={report.ok ? 'verified' : 'failed'}>
      <h3 id="verify-result-heading">{t.checks}</h3>
      <p role="status" class={report.ok ? 'verdict verdict-ok' : 'verdict verdict-failed'}>
        <strong>{report.ok ? t.verified : fill(t.notVerified, { n: Math.max(report.problems.length, 1) })}</strong>
      </p>
      <table class="checks">
        <caption class="visually-hidden">{t.checks}</caption>
        <thead>
          <tr>
            <th scope="col">{t.check}</th>
            <th scope="col">{t.result}</th>
            <th scope="col">{t.details}</th>
          </tr>
        </thead>
        <tbody>
          {report.checks.map((check) => (
            <tr key={check.id} data-check={check.id} data-status={check.status}>
              <th scope="row">{checkTitle(lang, check.id)}</th>
              <td>
                <span aria-hidden="true">{MARK[check.status]} </span>
                {statusWord(lang, check.status)}
              </td>
              <td>
                {check.problems.length > 0 ? (
                  <ul>
                    {check.problems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                ) : (
                  check.notes.join('; ')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
