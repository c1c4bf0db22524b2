/**
 * One invoice: its amounts and state, the pay link (copy, QR), cancel while it may be, its transfers with explorer
 * links, its receipt (number, hash, signer, delivery to the registry, the printable page), sweeps, and refunds —
 * with a refund request when it is overpaid.
 */
import { useEffect, useState } from 'preact/hooks';
import { explorerTxUrl } from '../../../../shared/domain/explorers';
import type { ApiResult, ConsoleApi, ConsoleLang, ScreenProps } from '../../contract';
import { formatDateTime, formatMicroUsd, formatTokenAmount } from '../../format';
import { CopyButton, common, ProblemView, QrCode, Short, StateBadge, TableWrap, useResource } from '../../ui';
import type { InvoiceRow } from './invoices';
import { type Refund, RefundsTable } from './refunds';
import { ministryStrings } from './strings';

interface Transfer {
  id: string;
  chainId: number;
  token: string;
  txHash: string;
  from: string;
  amount: string;
  microUsd: string;
  state: string;
  firstSeenAt: string;
}

interface Sweep {
  id: string;
  chainId: number;
  txHash: string;
  amount: string;
  state: string;
  failed: boolean;
  submittedAt: string;
}

interface InvoiceDetail extends InvoiceRow {
  pendingMicroUsd: string;
  overpaidMicroUsd: string;
  expiresAt: string;
  reference?: string;
  payUrl: string;
  depositAddress: string;
  receiptId: string | null;
  options: { chainId: number; token: string; symbol: string; decimals: number }[];
  transfers: Transfer[];
  sweeps: Sweep[];
  refunds: Refund[];
}

interface Receipt {
  receiptId: string;
  receiptNo: string;
  hash: string;
  signer: string;
  issuedAt: string;
  delivery?: { state: string; attempts: number; lastError: string | null };
}

function TxLink({ chainId, txHash }: { chainId: number; txHash: string }) {
  const url = explorerTxUrl(chainId, txHash);
  return url ? (
    <a href={url} rel="noreferrer noopener" target="_blank">
      <Short value={txHash} />
    </a>
  ) : (
    <Short value={txHash} />
  );
}

function Transfers({ invoice, lang }: { invoice: InvoiceDetail; lang: ConsoleLang }) {
  const t = ministryStrings[lang];
  const decimalsOf = (tr: Transfer) =>
    invoice.options.find((o) => o.chainId === tr.chainId && o.token.toLowerCase() === tr.token.toLowerCase());
  return (
    <section aria-labelledby="transfers-heading">
      <h2 id="transfers-heading">{t.transfers}</h2>
      {invoice.transfers.length === 0 ? (
        <p>{common[lang].none}</p>
      ) : (
        <TableWrap label={common[lang].table}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t.chain}</th>
                <th scope="col">{t.tx}</th>
                <th scope="col" class="num">
                  {t.amount}
                </th>
                <th scope="col">{t.state}</th>
                <th scope="col">{t.created}</th>
              </tr>
            </thead>
            <tbody>
              {invoice.transfers.map((tr) => {
                const option = decimalsOf(tr);
                return (
                  <tr key={tr.id}>
                    <td>{tr.chainId}</td>
                    <td>
                      <TxLink chainId={tr.chainId} txHash={tr.txHash} />
                    </td>
                    <td class="num">
                      {option
                        ? formatTokenAmount(tr.amount, option.decimals, lang, option.symbol)
                        : formatMicroUsd(tr.microUsd, lang)}
                    </td>
                    <td>
                      <StateBadge state={tr.state} />
                    </td>
                    <td>{formatDateTime(tr.firstSeenAt, lang)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function ReceiptCard({ api, lang, invoice }: { api: ConsoleApi; lang: ConsoleLang; invoice: InvoiceDetail }) {
  const t = ministryStrings[lang];
  const id = invoice.receiptId ?? '';
  const receipt = useResource(() => api.request<Receipt>('GET', `/v1/receipts/${encodeURIComponent(id)}`), id);
  const r = receipt.result?.ok ? receipt.result.body : undefined;
  return (
    <section aria-labelledby="receipt-heading" class="card">
      <h2 id="receipt-heading">{t.receipt}</h2>
      <ProblemView result={receipt.result} lang={lang} />
      {r ? (
        <dl class="facts">
          <dt>{t.receiptNo}</dt>
          <dd data-testid="receipt-no">
            {r.receiptNo} ({r.receiptId})
          </dd>
          <dt>{t.issuedAt}</dt>
          <dd>{formatDateTime(r.issuedAt, lang)}</dd>
          <dt>{t.hash}</dt>
          <dd>
            <code class="wrap">{r.hash}</code>
          </dd>
          <dt>{t.signer}</dt>
          <dd>
            <code class="wrap">{r.signer}</code>
          </dd>
          <dt>{t.delivery}</dt>
          <dd>
            <StateBadge state={r.delivery?.state ?? 'unknown'} /> {r.delivery?.lastError ?? ''}
          </dd>
          <dt>{t.receiptPage}</dt>
          <dd>
            <a href={`/pay/${invoice.id}/receipt?lang=${lang}`}>/pay/{invoice.id}/receipt</a>
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

function Sweeps({ invoice, lang }: { invoice: InvoiceDetail; lang: ConsoleLang }) {
  const t = ministryStrings[lang];
  if (!invoice.sweeps?.length) return null;
  return (
    <section aria-labelledby="sweeps-heading">
      <h2 id="sweeps-heading">{t.sweeps}</h2>
      <ul>
        {invoice.sweeps.map((s) => (
          <li key={s.id}>
            <TxLink chainId={s.chainId} txHash={s.txHash} /> <StateBadge state={s.failed ? 'failed' : s.state} />{' '}
            {formatDateTime(s.submittedAt, lang)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function RefundRequest({
  api,
  lang,
  invoice,
  onDone,
}: {
  api: ConsoleApi;
  lang: ConsoleLang;
  invoice: InvoiceDetail;
  onDone: () => void;
}) {
  const t = ministryStrings[lang];
  const [reason, setReason] = useState('');
  const [to, setTo] = useState('');
  const [answer, setAnswer] = useState<ApiResult<unknown> | undefined>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    const result = await api.request('POST', '/v1/refunds', {
      body: { invoiceId: invoice.id, reason, ...(to.trim() ? { to: to.trim() } : {}) },
    });
    setAnswer(result);
    if (result.ok) onDone();
  };
  return (
    <form class="card form" onSubmit={submit}>
      <h3>{t.requestRefund}</h3>
      <label>
        {common[lang].reason}
        <input
          name="reason"
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t.to}
        <input name="to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </label>
      <ProblemView result={answer} lang={lang} />
      <button type="submit">{t.requestRefund}</button>
    </form>
  );
}

function Summary({ invoice, lang }: { invoice: InvoiceDetail; lang: ConsoleLang }) {
  const t = ministryStrings[lang];
  return (
    <dl class="facts card">
      <dt>{common[lang].status}</dt>
      <dd>
        <StateBadge state={invoice.status} />
        {invoice.exception !== 'none' ? ` ${invoice.exception}` : ''}
      </dd>
      <dt>{t.fee}</dt>
      <dd>
        {invoice.feeTitle?.[lang]} ({invoice.feeCode})
      </dd>
      <dt>{t.payer}</dt>
      <dd>
        {invoice.payer.name} · {invoice.payer.bin}
      </dd>
      {invoice.reference ? (
        <>
          <dt>{t.reference}</dt>
          <dd>{invoice.reference}</dd>
        </>
      ) : null}
      <dt>{t.due}</dt>
      <dd>{formatMicroUsd(invoice.dueMicroUsd, lang)}</dd>
      <dt>{t.paid}</dt>
      <dd data-testid="paid">{formatMicroUsd(invoice.paidMicroUsd, lang)}</dd>
      <dt>{t.pending}</dt>
      <dd>{formatMicroUsd(invoice.pendingMicroUsd, lang)}</dd>
      <dt>{t.overpaid}</dt>
      <dd>{formatMicroUsd(invoice.overpaidMicroUsd, lang)}</dd>
      <dt>{t.created}</dt>
      <dd>{formatDateTime(invoice.createdAt, lang)}</dd>
      <dt>{t.expires}</dt>
      <dd>{formatDateTime(invoice.expiresAt, lang)}</dd>
      <dt>{t.deposit}</dt>
      <dd>
        <code class="wrap">{invoice.depositAddress}</code>
      </dd>
    </dl>
  );
}

export function InvoiceDetailScreen({ api, lang, session, params }: ScreenProps & { params: Record<string, string> }) {
  const t = ministryStrings[lang];
  const id = params.id ?? '';
  const loaded = useResource(() => api.request<InvoiceDetail>('GET', `/v1/invoices/${encodeURIComponent(id)}`), id);
  const [action, setAction] = useState<ApiResult<unknown> | undefined>(undefined);
  const invoice = loaded.result?.ok ? loaded.result.body : undefined;
  // While money may still arrive or settle, read the invoice again every few seconds.
  const live = invoice?.status === 'open' || invoice?.status === 'processing';
  useEffect(() => {
    if (!live || loaded.loading) return;
    const timer = setTimeout(loaded.reload, 3000);
    return () => clearTimeout(timer);
  }, [live, loaded.loading, loaded.reload]);
  const cancel = async () => {
    if (!window.confirm(t.cancelConfirm)) return;
    const result = await api.request('POST', `/v1/invoices/${encodeURIComponent(id)}/cancel`);
    setAction(result);
    if (result.ok) loaded.reload();
  };
  if (!loaded.result) return <p>{common[lang].loading}</p>;
  return (
    <>
      <p class="muted">
        <code>{id}</code>
      </p>
      <ProblemView result={loaded.result} lang={lang} />
      {invoice ? (
        <>
          <Summary invoice={invoice} lang={lang} />
          <section class="card" aria-labelledby="paylink-heading">
            <h2 id="paylink-heading">{t.payLink}</h2>
            <p>
              <a href={invoice.payUrl}>{invoice.payUrl}</a> <CopyButton text={invoice.payUrl} lang={lang} />
            </p>
            <QrCode text={invoice.payUrl} label={t.qrOf} />
            {session.role === 'ministry' && invoice.status === 'open' ? (
              <button type="button" class="danger" onClick={cancel}>
                {t.cancel}
              </button>
            ) : null}
            <ProblemView result={action} lang={lang} />
          </section>
          <Transfers invoice={invoice} lang={lang} />
          {invoice.receiptId ? <ReceiptCard api={api} lang={lang} invoice={invoice} /> : null}
          <Sweeps invoice={invoice} lang={lang} />
          <section aria-labelledby="refunds-heading">
            <h2 id="refunds-heading">{t.refunds}</h2>
            <RefundsTable
              api={api}
              lang={lang}
              refunds={invoice.refunds ?? []}
              onDecided={loaded.reload}
              canDecide={session.role === 'ministry'}
            />
            {session.role === 'ministry' && invoice.overpaidMicroUsd !== '0' ? (
              <RefundRequest api={api} lang={lang} invoice={invoice} onDone={loaded.reload} />
            ) : null}
          </section>
        </>
      ) : null}
    </>
  );
}
