/**
 * Compliance uploads: the licensed-firm register (`PUT /v1/register`, CSV or JSON by the file's name: a new snapshot)
 * and a screening list (`PUT /v1/screening-lists/{name}`, JSON: the list replaced whole).
 */
import { useState } from 'preact/hooks';
import type { ScreenProps } from '../../contract';
import { UploadForm } from '../../upload';
import { complianceStrings } from './strings';

export function ComplianceUploads({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = complianceStrings[lang];
  const [listName, setListName] = useState('');
  return (
    <>
      <UploadForm
        api={api}
        lang={lang}
        id="register"
        label={t.registerFile}
        button={t.uploadRegister}
        accept=".csv,.json,text/csv,application/json"
        method="PUT"
        path="/v1/register"
        contentType={(file) => (/\.json$/i.test(file.name) ? 'application/json' : 'text/csv')}
        show={(body) => {
          const snapshot = body as { version: number; firms: number; sha256: string };
          return (
            <p>
              {t.version} {snapshot.version}, {t.firms}: {snapshot.firms}, SHA-256{' '}
              <code class="wrap">{snapshot.sha256}</code>
            </p>
          );
        }}
      />
      <UploadForm
        api={api}
        lang={lang}
        id="screening"
        label={t.listFile}
        button={t.uploadList}
        accept=".json,application/json"
        method="PUT"
        path={() => `/v1/screening-lists/${encodeURIComponent(listName)}`}
        contentType="application/json"
        show={(body) => {
          const list = body as { name: string; version: number; addresses: number };
          return (
            <p>
              {list.name}: {t.version} {list.version}, {t.addresses}: {list.addresses}
            </p>
          );
        }}
      >
        <label>
          {t.listName}
          <input
            name="listName"
            required
            pattern="[A-Za-z0-9_.-]{1,64}"
            value={listName}
            onInput={(e) => setListName((e.target as HTMLInputElement).value)}
          />
        </label>
      </UploadForm>
    </>
  );
}
