/** What the invoices' and the receipts' filter forms share: the payer's BIN, a period of days, and the search button. */
import type { ConsoleLang } from '../../contract';
import { common } from '../../ui';
import { ministryStrings } from './strings';

/** The fields' values as typed (dates as `YYYY-MM-DD`). */
interface PayerPeriod {
  payerBin: string;
  from: string;
  to: string;
}

/** The payer-BIN and day-range fields of a list's filter form, and its submit button. */
export function PayerPeriodFields(props: {
  lang: ConsoleLang;
  draft: PayerPeriod;
  set: (name: keyof PayerPeriod) => (event: Event) => void;
}) {
  const { lang, draft, set } = props;
  const t = ministryStrings[lang];
  const c = common[lang];
  return (
    <>
      <label>
        {t.payerBin}
        <input name="payerBin" inputMode="numeric" maxLength={12} value={draft.payerBin} onInput={set('payerBin')} />
      </label>
      <label>
        {c.from}
        <input name="from" type="date" value={draft.from} onInput={set('from')} />
      </label>
      <label>
        {c.to}
        <input name="to" type="date" value={draft.to} onInput={set('to')} />
      </label>
      <button type="submit">{c.search}</button>
    </>
  );
}
