/**
 * The proposal forms of reference data: a fee entry (`POST /v1/admin/fees`), a year's MRP (`POST /v1/admin/mrp`) and
 * a ministry's registry endpoint (`POST /v1/admin/registries`), each with its reason, the fee and the registry with
 * an optional effective instant (Kazakhstan time). Fields are checked as typed (amounts as decimal strings, codes,
 * digits, the BIN's check digit); the API checks them again and its problem is shown as it answers.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiResult, ConsoleApi, ConsoleLang } from '../../contract';
import { formatFeeAmount, kazakhstanInstant } from '../../format';
import { common, ProblemView } from '../../ui';
import {
  amountFromWire,
  amountToWire,
  binState,
  type ChangeWire,
  digits,
  FEE_CODE,
  type FeeUnit,
  type FeeWire,
  isAmount,
  isUrl,
  MINISTRY,
  WHOLE_TENGE,
} from './reference-model';
import { referenceStrings } from './reference-strings';

/** One labelled input with its hint, or its error once typed wrong (`bad`), read out as it changes. */
function Field(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  bad?: string | false;
  required?: boolean;
  type?: string;
  inputMode?: 'numeric' | 'decimal' | 'url';
  readOnly?: boolean;
}) {
  const hintId = `${props.id}-hint`;
  return (
    <>
      <label>
        {props.label}
        <input
          id={props.id}
          name={props.id}
          type={props.type ?? 'text'}
          inputMode={props.inputMode}
          autoComplete="off"
          required={props.required}
          readOnly={props.readOnly}
          value={props.value}
          aria-invalid={Boolean(props.bad)}
          aria-describedby={props.hint || props.bad ? hintId : undefined}
          onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        />
      </label>
      {props.hint || props.bad !== undefined ? (
        <p id={hintId} class={`hint ${props.bad ? 'bad' : ''}`} aria-live="polite">
          {props.bad || props.hint}
        </p>
      ) : null}
    </>
  );
}

/** A proposal form's frame: its heading, the submit button, and the API's answer (the change's id, or the problem). */
function ProposalForm(props: {
  id: string;
  heading: string;
  lang: ConsoleLang;
  valid: boolean;
  submit: () => Promise<ApiResult<ChangeWire>>;
  onProposed: () => void;
  children: ComponentChildren;
}) {
  const t = referenceStrings[props.lang];
  const [answer, setAnswer] = useState<ApiResult<ChangeWire> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await props.submit();
    setAnswer(result);
    setBusy(false);
    if (result.ok) props.onProposed();
  };
  return (
    <section class="card proposal" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.heading}</h2>
      <form class="form" onSubmit={onSubmit}>
        {props.children}
        <button type="submit" class="primary" disabled={busy || !props.valid}>
          {t.propose}
        </button>
      </form>
      <ProblemView result={answer} lang={props.lang} />
      {answer?.ok ? (
        <p role="status">
          {t.proposedOk}: {answer.body.id}
        </p>
      ) : null}
    </section>
  );
}

/** The fields shared by the forms that may be scheduled: the reason and the optional effective instant. */
function ReasonAndSchedule(props: {
  prefix: string;
  lang: ConsoleLang;
  reason: string;
  setReason: (v: string) => void;
  from?: string;
  setFrom?: (v: string) => void;
}) {
  const t = referenceStrings[props.lang];
  return (
    <>
      {props.setFrom ? (
        <Field
          id={`${props.prefix}-from`}
          label={t.effectiveFromOptional}
          type="datetime-local"
          value={props.from ?? ''}
          onInput={props.setFrom}
          hint={t.effectiveFromHint}
        />
      ) : null}
      <Field
        id={`${props.prefix}-reason`}
        label={common[props.lang].reason}
        required
        value={props.reason}
        onInput={props.setReason}
      />
    </>
  );
}

const emptyFee = {
  code: '',
  ministry: '',
  kk: '',
  ru: '',
  en: '',
  unit: 'USD' as FeeUnit,
  amount: '',
  budget: false,
  kbk: '',
  knp: '',
  kbe: '',
  bin: '',
  requiresLicence: false,
  contactUrl: '',
  contactEmail: '',
  contactPhone: '',
};

type FeeFields = typeof emptyFee;

/** What the service takes as an issuer contact (shared/domain/fees.ts issuerContactSchema); checked as typed. */
const CONTACT_CHECKS = {
  contactUrl: (text: string) => /^https:\/\/[^\s]+$/i.test(text) && text.length <= 200,
  contactEmail: (text: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) && text.length <= 254,
  contactPhone: (text: string) => /^\+[0-9][0-9 ()-]{5,23}$/.test(text),
};

/** The contact the fields give, or none when all three are empty. */
function contactOf(f: FeeFields): FeeWire['contact'] {
  const contact = {
    ...(f.contactUrl.trim() ? { url: f.contactUrl.trim() } : {}),
    ...(f.contactEmail.trim() ? { email: f.contactEmail.trim() } : {}),
    ...(f.contactPhone.trim() ? { phone: f.contactPhone.trim() } : {}),
  };
  return Object.keys(contact).length ? contact : undefined;
}

/** A catalog entry as the form's fields (to change one: its price, its titles, its budget details). */
function fieldsOf(fee: FeeWire): FeeFields {
  const { unit, text } = amountFromWire(fee.amount);
  return {
    code: fee.code,
    ministry: fee.ministry,
    ...fee.title,
    unit,
    amount: text,
    budget: Boolean(fee.budget),
    kbk: fee.budget?.kbk ?? '',
    knp: fee.budget?.knp ?? '',
    kbe: fee.budget?.kbe ?? '',
    bin: fee.budget?.beneficiaryBin ?? '',
    requiresLicence: fee.requiresLicence === true,
    // Kept when a fee is changed from the one in force: a price change must not drop how payers reach the issuer.
    contactUrl: fee.contact?.url ?? '',
    contactEmail: fee.contact?.email ?? '',
    contactPhone: fee.contact?.phone ?? '',
  };
}

/** The entry the fields describe, in wire form (call once they are valid). */
function feeOf(f: FeeFields): FeeWire {
  return {
    code: f.code,
    ministry: f.ministry,
    title: { kk: f.kk.trim(), ru: f.ru.trim(), en: f.en.trim() },
    amount: amountToWire(f.unit, f.amount),
    ...(f.budget ? { budget: { kbk: f.kbk, knp: f.knp, kbe: f.kbe, beneficiaryBin: f.bin } } : {}),
    ...(f.requiresLicence ? { requiresLicence: true } : {}),
    ...(contactOf(f) ? { contact: contactOf(f) } : {}),
  };
}

/** Each field's error once something is typed in it (false: fine or not typed yet). */
function feeProblems(f: FeeFields, lang: ConsoleLang) {
  const t = referenceStrings[lang];
  const typedBad = (text: string, ok: boolean, message: string) => (text !== '' && !ok ? message : false);
  return {
    code: typedBad(f.code, FEE_CODE.test(f.code) && f.code.length <= 64, t.codeHint),
    ministry: typedBad(f.ministry, MINISTRY.test(f.ministry), t.ministryHint),
    amount: typedBad(f.amount, isAmount(f.amount), t.amountBad),
    kbk: typedBad(f.kbk, digits(6, f.kbk), t.digitsBad),
    knp: typedBad(f.knp, digits(3, f.knp), t.digitsBad),
    kbe: typedBad(f.kbe, digits(2, f.kbe), t.digitsBad),
    bin: binState(f.bin) === 'bad' ? t.binBad : false,
    contactUrl: typedBad(f.contactUrl.trim(), CONTACT_CHECKS.contactUrl(f.contactUrl.trim()), t.contactBad),
    contactEmail: typedBad(f.contactEmail.trim(), CONTACT_CHECKS.contactEmail(f.contactEmail.trim()), t.contactBad),
    contactPhone: typedBad(f.contactPhone.trim(), CONTACT_CHECKS.contactPhone(f.contactPhone.trim()), t.contactBad),
  };
}

function feeComplete(f: FeeFields, reason: string): boolean {
  const budgetOk = !f.budget || (digits(6, f.kbk) && digits(3, f.knp) && digits(2, f.kbe) && binState(f.bin) === 'ok');
  return (
    FEE_CODE.test(f.code) &&
    MINISTRY.test(f.ministry) &&
    [f.kk, f.ru, f.en, reason].every((s) => s.trim() !== '') &&
    isAmount(f.amount) &&
    budgetOk &&
    (['contactUrl', 'contactEmail', 'contactPhone'] as const).every(
      (name) => f[name].trim() === '' || CONTACT_CHECKS[name](f[name].trim()),
    )
  );
}

/**
 * Propose a fee entry: a new one, or a new version of one in `bases` (picked to start from). A ministry proposes
 * for its own ministry only (`ministry` fixed), as the API allows.
 */
export function FeeForm(props: {
  api: ConsoleApi;
  lang: ConsoleLang;
  bases: FeeWire[];
  ministry?: string;
  onProposed: () => void;
}) {
  const { lang } = props;
  const t = referenceStrings[lang];
  const fixed = props.ministry;
  const [fields, setFields] = useState<FeeFields>({ ...emptyFee, ministry: fixed ?? '' });
  const [base, setBase] = useState('');
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const set = (name: keyof FeeFields) => (value: string | boolean) => setFields({ ...fields, [name]: value });
  const pick = (code: string) => {
    setBase(code);
    const fee = props.bases.find((b) => b.code === code);
    setFields(fee ? fieldsOf(fee) : { ...emptyFee, ministry: fixed ?? '' });
  };
  const bad = feeProblems(fields, lang);
  const submit = () => {
    const effectiveFrom = kazakhstanInstant(from);
    const body = { fee: feeOf(fields), reason: reason.trim(), ...(effectiveFrom ? { effectiveFrom } : {}) };
    return props.api.request<ChangeWire>('POST', '/v1/admin/fees', { body });
  };
  return (
    <ProposalForm
      id="fee-form"
      heading={t.proposeFee}
      lang={lang}
      valid={feeComplete(fields, reason)}
      submit={submit}
      onProposed={props.onProposed}
    >
      <label>
        {t.startFrom}
        <select name="base" value={base} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
          <option value="">{t.newFee}</option>
          {props.bases.map((b) => (
            <option key={b.code} value={b.code}>
              {b.code} — {b.title[lang]} ({formatFeeAmount(b.amount, lang)})
            </option>
          ))}
        </select>
      </label>
      <Field id="fee-code" label={t.code} required value={fields.code} onInput={set('code')} bad={bad.code} />
      <Field
        id="fee-ministry"
        label={t.ministry}
        required
        readOnly={Boolean(fixed)}
        value={fields.ministry}
        onInput={set('ministry')}
        bad={bad.ministry}
      />
      <Field id="fee-title-kk" label={t.titleKk} required value={fields.kk} onInput={set('kk')} />
      <Field id="fee-title-ru" label={t.titleRu} required value={fields.ru} onInput={set('ru')} />
      <Field id="fee-title-en" label={t.titleEn} required value={fields.en} onInput={set('en')} />
      <label>
        {t.unit}
        <select name="unit" value={fields.unit} onChange={(e) => set('unit')((e.target as HTMLSelectElement).value)}>
          <option value="USD">{t.unitUsd}</option>
          <option value="KZT">{t.unitKzt}</option>
          <option value="MRP">{t.unitMrp}</option>
        </select>
      </label>
      <Field
        id="fee-amount"
        label={t.amount}
        required
        inputMode="decimal"
        value={fields.amount}
        onInput={set('amount')}
        hint={t.amountHint}
        bad={bad.amount}
      />
      <BudgetFields fields={fields} set={set} bad={bad} lang={lang} />
      <label class="check">
        <input
          type="checkbox"
          name="requiresLicence"
          checked={fields.requiresLicence}
          onChange={(e) => set('requiresLicence')((e.target as HTMLInputElement).checked)}
        />{' '}
        {t.requiresLicence}
      </label>
      <Field
        id="fee-contact-url"
        label={t.contactUrl}
        type="url"
        inputMode="url"
        value={fields.contactUrl}
        onInput={set('contactUrl')}
        bad={bad.contactUrl}
      />
      <Field
        id="fee-contact-email"
        label={t.contactEmail}
        type="email"
        value={fields.contactEmail}
        onInput={set('contactEmail')}
        bad={bad.contactEmail}
      />
      <Field
        id="fee-contact-phone"
        label={t.contactPhone}
        type="tel"
        value={fields.contactPhone}
        onInput={set('contactPhone')}
        bad={bad.contactPhone}
      />
      <ReasonAndSchedule prefix="fee" lang={lang} reason={reason} setReason={setReason} from={from} setFrom={setFrom} />
    </ProposalForm>
  );
}

function BudgetFields(props: {
  fields: FeeFields;
  set: (name: keyof FeeFields) => (value: string | boolean) => void;
  bad: ReturnType<typeof feeProblems>;
  lang: ConsoleLang;
}) {
  const { fields, set, bad } = props;
  const t = referenceStrings[props.lang];
  return (
    <fieldset>
      <legend>
        <label class="check">
          <input
            type="checkbox"
            name="budget"
            checked={fields.budget}
            onChange={(e) => set('budget')((e.target as HTMLInputElement).checked)}
          />{' '}
          {t.budget}
        </label>
      </legend>
      {fields.budget ? (
        <div class="form">
          <Field id="fee-kbk" label={t.kbk} inputMode="numeric" value={fields.kbk} onInput={set('kbk')} bad={bad.kbk} />
          <Field id="fee-knp" label={t.knp} inputMode="numeric" value={fields.knp} onInput={set('knp')} bad={bad.knp} />
          <Field id="fee-kbe" label={t.kbe} inputMode="numeric" value={fields.kbe} onInput={set('kbe')} bad={bad.kbe} />
          <Field
            id="fee-bin"
            label={t.beneficiaryBin}
            inputMode="numeric"
            value={fields.bin}
            onInput={set('bin')}
            bad={bad.bin}
          />
        </div>
      ) : null}
    </fieldset>
  );
}

/** Propose the KZT per MRP of a year (next year's by default): in force from 1 January of that year. */
export function MrpForm(props: { api: ConsoleApi; lang: ConsoleLang; onProposed: () => void }) {
  const t = referenceStrings[props.lang];
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const [kzt, setKzt] = useState('');
  const [reason, setReason] = useState('');
  const yearOk = /^\d{4}$/.test(year);
  const submit = () =>
    props.api.request<ChangeWire>('POST', '/v1/admin/mrp', {
      body: { year: Number(year), kzt, reason: reason.trim() },
    });
  return (
    <ProposalForm
      id="mrp-form"
      heading={t.proposeMrp}
      lang={props.lang}
      valid={yearOk && WHOLE_TENGE.test(kzt) && reason.trim() !== ''}
      submit={submit}
      onProposed={props.onProposed}
    >
      <p class="muted">{t.mrpHint}</p>
      <Field
        id="mrp-year"
        label={t.year}
        type="number"
        required
        value={year}
        onInput={setYear}
        bad={year !== '' && !yearOk && t.digitsBad}
      />
      <Field
        id="mrp-kzt"
        label={t.kztPerMrp}
        inputMode="numeric"
        required
        value={kzt}
        onInput={setKzt}
        hint={t.kztHint}
        bad={kzt !== '' && !WHOLE_TENGE.test(kzt) && t.kztBad}
      />
      <ReasonAndSchedule prefix="mrp" lang={props.lang} reason={reason} setReason={setReason} />
    </ProposalForm>
  );
}

/** Propose a ministry's registry endpoint (JSON over HTTPS); the API refuses a private or non-https address. */
export function RegistryForm(props: { api: ConsoleApi; lang: ConsoleLang; onProposed: () => void }) {
  const t = referenceStrings[props.lang];
  const [ministry, setMinistry] = useState('');
  const [url, setUrl] = useState('');
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const submit = () => {
    const effectiveFrom = kazakhstanInstant(from);
    const body = { ministry, url, format: 'json', reason: reason.trim(), ...(effectiveFrom ? { effectiveFrom } : {}) };
    return props.api.request<ChangeWire>('POST', '/v1/admin/registries', { body });
  };
  return (
    <ProposalForm
      id="registry-form"
      heading={t.proposeRegistry}
      lang={props.lang}
      valid={MINISTRY.test(ministry) && isUrl(url) && reason.trim() !== ''}
      submit={submit}
      onProposed={props.onProposed}
    >
      <Field
        id="registry-ministry"
        label={t.ministry}
        required
        value={ministry}
        onInput={setMinistry}
        bad={ministry !== '' && !MINISTRY.test(ministry) && t.ministryHint}
      />
      <Field
        id="registry-url"
        label={t.url}
        type="url"
        inputMode="url"
        required
        value={url}
        onInput={setUrl}
        hint={t.urlHint}
        bad={url !== '' && !isUrl(url) && t.urlBad}
      />
      <ReasonAndSchedule
        prefix="registry"
        lang={props.lang}
        reason={reason}
        setReason={setReason}
        from={from}
        setFrom={setFrom}
      />
    </ProposalForm>
  );
}
