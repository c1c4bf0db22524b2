/** Settlement uploads: the custodian's CSV report (`POST /v1/settlements`) and the bank's camt.053 statement. */
import type { ScreenProps } from '../../contract';
import { UploadForm } from '../../upload';
import { operatorStrings } from './strings';

interface StoredBatch {
  batch: { batchId: string; lines: number; sha256: string };
}
interface StoredStatement {
  statement: { messageId: string; entries: number; sha256: string };
}

export function SettlementUploads({ api, lang }: ScreenProps & { params: Record<string, string> }) {
  const t = operatorStrings[lang];
  return (
    <>
      <UploadForm
        api={api}
        lang={lang}
        id="settlement"
        label={t.settlementFile}
        button={t.uploadSettlement}
        accept=".csv,text/csv"
        method="POST"
        path="/v1/settlements"
        contentType="text/csv"
        show={(body) => {
          const { batch } = body as StoredBatch;
          return (
            <p>
              {t.stored}: <code>{batch.batchId}</code>, {t.lines}: {batch.lines}, SHA-256{' '}
              <code class="wrap">{batch.sha256}</code>
            </p>
          );
        }}
      />
      <UploadForm
        api={api}
        lang={lang}
        id="statement"
        label={t.statementFile}
        button={t.uploadStatement}
        accept=".xml,application/xml,text/xml"
        method="POST"
        path="/v1/bank-statements"
        contentType="application/xml"
        show={(body) => {
          const { statement } = body as StoredStatement;
          return (
            <p>
              {t.stored}: <code>{statement.messageId}</code>, {t.lines}: {statement.entries}, SHA-256{' '}
              <code class="wrap">{statement.sha256}</code>
            </p>
          );
        }}
      />
    </>
  );
}
