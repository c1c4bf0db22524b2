/** A file upload form: reads the chosen file as text and sends it as is with its media type; shows the answer. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang } from './contract';
import { common, ProblemView } from './ui';

/** Uploads one file to `method path` as `contentType`; `show` renders a successful answer. */
export function UploadForm(props: {
  api: ConsoleApi;
  lang: ConsoleLang;
  id: string;
  label: string;
  button: string;
  accept: string;
  method: 'POST' | 'PUT';
  path: string | ((file: File) => string);
  contentType: string | ((file: File) => string);
  show: (body: unknown) => ComponentChildren;
  /** Fields the upload needs beside the file (a list's name). */
  children?: ComponentChildren;
}) {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    const path = typeof props.path === 'string' ? props.path : props.path(file);
    const contentType = typeof props.contentType === 'string' ? props.contentType : props.contentType(file);
    setAnswer(await props.api.request(props.method, path, { body: await file.text(), contentType }));
    setBusy(false);
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.label}</h2>
      {props.children}
      <label>
        {common[props.lang].file}
        <input
          type="file"
          name={props.id}
          accept={props.accept}
          required
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
        />
      </label>
      <button type="submit" class="primary" disabled={busy || !file}>
        {props.button}
      </button>
      <ProblemView result={answer} lang={props.lang} />
      {answer?.ok ? <div role="status">{props.show(answer.body)}</div> : null}
    </form>
  );
}
