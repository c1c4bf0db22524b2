/**
 * Issue an invoice from the ministry's own fees (`GET /v1/fees`, filtered to the session's ministry): the payer's
 * BIN is checked as typed with the domain's check-digit rule, its licence-register entry shown when the register
 * has it, and the answer's pay link offered to copy or scan. One Idempotency-Key per filled form: a double submit
 * answers the same invoice.
 */
import { useEffect, useState } from 'preact/hooks';
import { isValidBin } from '../../../../shared/domain/bin';
import type { ApiResult, ScreenProps } from '../../contract';
import { formatFeeAmount, formatMicroUsd } from '../../format';
import { href } from '../../router';
import { CopyButton, common, ProblemView, QrCode, useResource } from '../../ui';
import { ministryStrings } from './strings';

interface Fee {
  code: string;
  ministry: string;
  title: Record<'kk' | 'ru' | 'en', string>;
  amount: { currency?: string; minor?: string; mrp?: string };
  requiresLicence?: boolean;
}

interface Firm {
  name: string;
  licenceNo: string;
  status: string;
}

interface Issued {
  id: string;
  payUrl: string;
  dueMicroUsd: string;
  payer: { name: string };
}

/** The register's entry for a valid BIN (ministries may read it): a firm, `null` when not listed, undefined while unknown. */
function useLicence(api: ScreenProps['api'], bin: string): Firm | null | undefined {
  const [firm, setFirm] = useState<Firm | null | undefined>(undefined);
  useEffect(() => {
    setFirm(undefined);
    if (!isValidBin(bin)) return;
    let current = true;
    api.request<Firm>('GET', `/v1/register/${bin}`).then((r) => {
      if (!current) return;
      // Any answer other than found or not listed (a role without the register, say) shows nothing.
      setFirm(r.ok ? r.body : r.status === 404 ? null : undefined);
    });
    return () => {
      current = false;
    };
  }, [api, bin]);
  return firm;
}

function IssuedInvoice({ invoice, lang }: { invoice: Issued; lang: ScreenProps['lang'] }) {
  const t = ministryStrings[lang];
  return (
    <section class="card" aria-labelledby="issued-heading">
      <h2 id="issued-heading">{t.issued}</h2>
      <p>
        <a href={href(`invoices/${invoice.id}`)}>{invoice.id}</a> · {invoice.payer.name} ·{' '}
        {formatMicroUsd(invoice.dueMicroUsd, lang)}
      </p>
      <p>
        {t.payLink}: <a href={invoice.payUrl}>{invoice.payUrl}</a> <CopyButton text={invoice.payUrl} lang={lang} />
      </p>
      <QrCode text={invoice.payUrl} label={t.qrOf} />
    </section>
  );
}

export function IssueInvoice({ api, lang, session }: ScreenProps & { params: Record<string, string> }) {
  const t = ministryStrings[lang];
  const fees = useResource(() => api.request<{ items: Fee[] }>('GET', '/v1/fees'), 'fees');
  const own = fees.result?.ok ? fees.result.body.items.filter((f) => f.ministry === session.ministry) : [];
  const [form, setForm] = useState({
    feeCode: '',
    bin: '',
    name: '',
    email: '',
    language: lang,
    reference: '',
    expires: '60',
  });
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const licence = useLicence(api, form.bin);
  const feeCode = form.feeCode || own[0]?.code || '';
  const set = (name: keyof typeof form) => (e: Event) => {
    setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
    setKey(crypto.randomUUID());
  };
  const binState = form.bin.length === 0 ? 'empty' : isValidBin(form.bin) ? 'ok' : 'bad';

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const body = {
      feeCode,
      payer: { bin: form.bin, name: form.name, ...(form.email.trim() ? { email: form.email.trim() } : {}) },
      language: form.language,
      ...(form.reference.trim() ? { reference: form.reference.trim() } : {}),
      expiresInMinutes: Number(form.expires),
    };
    setAnswer(await api.request('POST', '/v1/invoices', { body, headers: { 'Idempotency-Key': key } }));
    setBusy(false);
  };

  if (fees.loading) return <p>{common[lang].loading}</p>;
  return (
    <>
      <ProblemView result={fees.result} lang={lang} />
      <form class="card form" onSubmit={submit}>
        <label>
          {t.fee}
          <select name="feeCode" value={feeCode} onChange={set('feeCode')} required>
            {own.map((f) => (
              <option key={f.code} value={f.code}>
                {f.code} — {f.title[lang]} ({formatFeeAmount(f.amount, lang)})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.payerBin}
          <input
            name="bin"
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            required
            value={form.bin}
            aria-invalid={binState === 'bad'}
            aria-describedby="bin-check"
            onInput={set('bin')}
          />
        </label>
        <p id="bin-check" class={`hint ${binState === 'bad' ? 'bad' : ''}`} aria-live="polite">
          {binState === 'ok' ? t.binOk : binState === 'bad' ? t.binBad : ''}
          {binState === 'ok' && licence !== undefined ? (
            <span class="licence">
              {' '}
              {t.licence}: {licence ? `${licence.name}, ${licence.licenceNo}, ${licence.status}` : t.notRegistered}
            </span>
          ) : null}
        </p>
        <label>
          {t.payerName}
          <input name="name" required maxLength={200} value={form.name} onInput={set('name')} />
        </label>
        <label>
          {t.payerEmail}
          <input name="email" type="email" value={form.email} onInput={set('email')} />
        </label>
        <label>
          {t.mailLanguage}
          <select name="language" value={form.language} onChange={set('language')}>
            <option value="kk">Қазақша</option>
            <option value="ru">Русский</option>
            <option value="en">English</option>
          </select>
        </label>
        <label>
          {t.reference}
          <input name="reference" maxLength={140} value={form.reference} onInput={set('reference')} />
        </label>
        <label>
          {t.expiresIn}
          <input
            name="expires"
            type="number"
            min={5}
            max={10080}
            required
            value={form.expires}
            onInput={set('expires')}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || binState !== 'ok'}>
          {t.issue}
        </button>
      </form>
      <ProblemView result={answer} lang={lang} />
      {answer?.ok ? <IssuedInvoice invoice={answer.body as Issued} lang={lang} /> : null}
    </>
  );
}
