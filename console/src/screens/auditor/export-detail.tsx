/**
 * One export (`#/exports/:id`): its progress (GET /v1/exports/{id}, polled until done or failed), its files, all of
 * them downloaded as one zip built in the browser, and its verification run here with shared/verify, the code of
 * `npx stablefee verify-export`. Files the auditor already has (the zip, or the files) verify the same way.
 */
import { useEffect, useState } from 'preact/hooks';
import { exportFilesOf, type VerifyReport, verifyExport } from '../../../../shared/verify';
import type { ConsoleApi, ConsoleLang, Problem, ScreenProps } from '../../contract';
import { VerifyResult } from './checks';
import { ExpectedSignerField } from './expected-signer';
import { chosenExportFiles, downloadExport, type ExportJobView, knownExports, zipOf } from './files';
import { useExpectedSigner } from './signer';
import { fill, formatCount, formatInstant, jobStatusWord, strings } from './strings';

/** How often a running export is asked for again. */
const POLL_MS = 2000;

/** The job, fetched now and again every {@link POLL_MS} while it is not finished. */
function useExportJob(api: ConsoleApi, id: string) {
  const [job, setJob] = useState<ExportJobView>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const answer = await api.request<ExportJobView>('GET', `/v1/exports/${encodeURIComponent(id)}`);
        if (!live) return;
        if (!answer.ok) {
          const p = answer.body as unknown as Problem;
          setError(p?.detail ?? p?.title ?? String(answer.status));
          return;
        }
        setError(undefined);
        setJob(answer.body);
        knownExports.add(answer.body.id);
        if (answer.body.status === 'requested' || answer.body.status === 'running') timer = setTimeout(poll, POLL_MS);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, id]);
  return { job, error };
}

/** Offers `bytes` to the reader as a download named `name`. */
function saveAs(bytes: Uint8Array, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function JobFacts({ job, lang }: { job: ExportJobView; lang: ConsoleLang }) {
  const t = strings[lang];
  return (
    <dl class="facts">
      <dt>{t.status}</dt>
      <dd data-export-status={job.status}>{jobStatusWord(lang, job.status)}</dd>
      <dt>{t.period}</dt>
      <dd>
        {formatInstant(lang, job.period.from)} – {formatInstant(lang, job.period.to)}
      </dd>
      <dt>{t.ministry}</dt>
      <dd>{job.ministry ?? t.allMinistries}</dd>
      <dt>{t.attempts}</dt>
      <dd>{job.attempts}</dd>
      {job.error && (
        <>
          <dt>{t.error}</dt>
          <dd>{job.error}</dd>
        </>
      )}
    </dl>
  );
}

function FileTable({ job, lang }: { job: ExportJobView; lang: ConsoleLang }) {
  const t = strings[lang];
  return (
    <table class="files">
      <caption>{t.files}</caption>
      <thead>
        <tr>
          <th scope="col">{t.file}</th>
          <th scope="col">{t.rows}</th>
          <th scope="col">{t.bytes}</th>
          <th scope="col">SHA-256</th>
        </tr>
      </thead>
      <tbody>
        {job.files.map((f) => (
          <tr key={f.name}>
            <th scope="row">{f.name}</th>
            <td>{f.rows === undefined ? '—' : formatCount(lang, f.rows)}</td>
            <td>{f.bytes === undefined ? '—' : formatCount(lang, f.bytes)}</td>
            <td>
              <code>{f.sha256 ?? '—'}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `#/exports/:id`. */
export function ExportScreen({ api, lang, params }: ScreenProps & { params: Record<string, string> }) {
  const t = strings[lang];
  const id = params.id ?? '';
  const { job, error } = useExportJob(api, id);
  const [signer, setSigner] = useExpectedSigner(api);
  const [files, setFiles] = useState<Map<string, Uint8Array>>();
  const [busy, setBusy] = useState<'download' | 'verify'>();
  const [failure, setFailure] = useState<string>();
  const [report, setReport] = useState<VerifyReport>();

  /** The export's files, downloaded once (fresh links come with each poll; a link lives 15 minutes). */
  const fetchFiles = async () => {
    if (files) return files;
    const fetched = await downloadExport(api, job?.files ?? []);
    setFiles(fetched);
    return fetched;
  };
  const run = async (what: 'download' | 'verify', action: () => Promise<void>) => {
    setBusy(what);
    setFailure(undefined);
    try {
      await action();
    } catch (e) {
      setFailure(fill(t.loadFailed, { detail: (e as Error).message }));
    } finally {
      setBusy(undefined);
    }
  };
  const verify = (chosen: Map<string, Uint8Array>) =>
    verifyExport(exportFilesOf(chosen), { expectedSigner: signer || undefined }).then(setReport);

  const download = () =>
    run('download', async () => saveAs(zipOf(await fetchFiles()), `stablefee-export-${id}.zip`, 'application/zip'));
  const verifyDownloaded = () => run('verify', async () => verify(await fetchFiles()));
  const verifyChosen = (input: HTMLInputElement) =>
    run('verify', async () => {
      const chosen = await Promise.all(
        [...(input.files ?? [])].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      await verify(chosenExportFiles(chosen));
    });
  const done = job?.status === 'done';

  return (
    <div class="screen auditor-export" aria-busy={busy !== undefined}>
      <p>
        <a href="#/exports">{t.back}</a>
      </p>
      <h2>{id}</h2>
      {error && (
        <p role="alert" class="error">
          {fill(t.loadFailed, { detail: error })}
        </p>
      )}
      {job && <JobFacts job={job} lang={lang} />}
      {job && !done && job.status !== 'failed' && <p role="status">{t.waiting}</p>}
      {done && <FileTable job={job} lang={lang} />}
      <ExpectedSignerField lang={lang} value={signer} onInput={setSigner} />
      <p class="actions">
        <button type="button" disabled={!done || busy !== undefined} onClick={download}>
          {busy === 'download' ? t.downloading : t.downloadZip}
        </button>{' '}
        <button type="button" disabled={!done || busy !== undefined} onClick={verifyDownloaded}>
          {busy === 'verify' ? t.verifying : t.verify}
        </button>
      </p>
      <p>
        <label for="verify-local-files">{t.verifyLocal}</label>
        <input
          id="verify-local-files"
          type="file"
          multiple
          accept=".zip,.csv,.json"
          aria-describedby="verify-local-hint"
          disabled={busy !== undefined}
          onChange={(e) => verifyChosen(e.currentTarget as HTMLInputElement)}
        />
        <small id="verify-local-hint">{t.verifyLocalHint}</small>
      </p>
      <p>
        <small>{t.sameCode}</small>
      </p>
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      {report && <VerifyResult report={report} lang={lang} />}
    </div>
  );
}
