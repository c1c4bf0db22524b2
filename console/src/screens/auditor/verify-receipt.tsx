/**
 * Verify a receipt (`#/verify-receipt`, `#/verify-receipt/:id`): load one by id (GET /v1/receipts/{id}), paste its
 * JSON or choose its file; shared/verify checks it as `npx stablefee verify-receipt` does (its fields against its
 * typed data, the EIP-712 signature, the signer against the published one) and its facts are shown.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Receipt } from '../../../../shared/domain/receipts';
import { type ReceiptReport, verifyReceiptText } from '../../../../shared/verify';
import type { ConsoleLang, Problem, ScreenProps } from '../../contract';
import { VerifyResult } from './checks';
import { ExpectedSignerField } from './expected-signer';
import { useExpectedSigner } from './signer';
import { fill, formatInstant, strings } from './strings';

/** Micro-USD as USD with six decimals (exact: bigint, never a float). */
const usd = (micro: string) => {
  const v = BigInt(micro);
  return `${v / 1_000_000n}.${(v % 1_000_000n).toString().padStart(6, '0')}`;
};

function ReceiptFacts({ receipt, lang }: { receipt: Receipt; lang: ConsoleLang }) {
  const t = strings[lang];
  return (
    <dl class="facts receipt-facts">
      <dt>{t.ministry}</dt>
      <dd>{receipt.ministry}</dd>
      <dt>{t.receiptNo}</dt>
      <dd>
        {receipt.receiptNo}
        {receipt.kind === 'annulment' && ` (${fill(t.annulment, { id: receipt.annuls ?? '?' })})`}
      </dd>
      <dt>{t.invoice}</dt>
      <dd>{receipt.invoiceId}</dd>
      <dt>{t.paid}</dt>
      <dd>{usd(receipt.paidMicroUsd)}</dd>
      <dt>{t.issuedAt}</dt>
      <dd>{formatInstant(lang, receipt.issuedAt)}</dd>
      <dt>{t.payments}</dt>
      <dd>
        <ul>
          {receipt.payments.map((p) => (
            <li key={`${p.chainId}:${p.txHash}:${p.logIndex}`}>
              {t.chain} {p.chainId}, {t.transaction} <code>{p.txHash}</code> #{p.logIndex}
            </li>
          ))}
        </ul>
      </dd>
      <dt>{t.prevHash}</dt>
      <dd>
        <code>{receipt.prevHash}</code>
      </dd>
      <dt>{t.hash}</dt>
      <dd>
        <code>{receipt.hash}</code>
      </dd>
      <dt>{t.signer}</dt>
      <dd>
        <code>{receipt.signer}</code>
      </dd>
    </dl>
  );
}

/** `#/verify-receipt` and `#/verify-receipt/:id`. */
export function VerifyReceiptScreen({ api, lang, params }: ScreenProps & { params: Record<string, string> }) {
  const t = strings[lang];
  const [signer, setSigner] = useExpectedSigner(api);
  const [id, setId] = useState(params.id ?? '');
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [report, setReport] = useState<ReceiptReport>();
  const check = (json: string, source: string) =>
    setReport(verifyReceiptText(json, { expectedSigner: signer || undefined, source }));

  const load = async (receiptId: string) => {
    setError(undefined);
    setReport(undefined);
    try {
      const answer = await api.request('GET', `/v1/receipts/${encodeURIComponent(receiptId)}`);
      if (!answer.ok) {
        const p = answer.body as Problem;
        setError(fill(t.loadFailed, { detail: p?.detail ?? p?.title ?? String(answer.status) }));
        return;
      }
      const json = JSON.stringify(answer.body);
      setText(json);
      check(json, receiptId);
    } catch (e) {
      setError(fill(t.loadFailed, { detail: (e as Error).message }));
    }
  };
  // Opened as `#/verify-receipt/:id` (from a receipt's page): loaded once, when the published signer is known.
  const [autoLoaded, setAutoLoaded] = useState(false);
  useEffect(() => {
    if (!params.id || !signer || autoLoaded) return;
    setAutoLoaded(true);
    load(params.id);
  });

  return (
    <div class="screen auditor-verify-receipt">
      <h2>{t.receiptTitle}</h2>
      <ExpectedSignerField lang={lang} value={signer} onInput={setSigner} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (id) load(id);
        }}
      >
        <label for="receipt-id">{t.receiptId}</label>
        <input
          id="receipt-id"
          value={id}
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => setId((e.currentTarget as HTMLInputElement).value.trim())}
        />
        <button type="submit">{t.loadReceipt}</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          check(text, 'the pasted receipt');
        }}
      >
        <label for="receipt-json">{t.pasteReceipt}</label>
        <textarea
          id="receipt-json"
          rows={8}
          cols={80}
          spellcheck={false}
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        />
        <button type="submit">{t.verifyPasted}</button>
      </form>
      <p>
        <label for="receipt-file">{t.receiptFile}</label>
        <input
          id="receipt-file"
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const file = (e.currentTarget as HTMLInputElement).files?.[0];
            if (!file) return;
            const json = await file.text();
            setText(json);
            check(json, file.name);
          }}
        />
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {report && <VerifyResult report={report} lang={lang} />}
      {report?.receipt && (
        <>
          <ReceiptFacts receipt={report.receipt} lang={lang} />
          <p>
            <small>{t.chainNote}</small>
          </p>
        </>
      )}
    </div>
  );
}
