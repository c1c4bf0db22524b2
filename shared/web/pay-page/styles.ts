/** The payment page's stylesheet, inlined with the CSP nonce (no external files, no inline style attributes). */
export const PAGE_CSS = `
:root {
  --fg: #17202a; --muted: #4b5563; --bg: #eef2f6; --card: #ffffff; --line: #cfd8e3;
  --brand: #0f2d4a; --accent: #0b5cad; --accent-dark: #084785; --ok: #136c2e; --ok-bg: #e6f4ea;
  --warn: #7a4b00; --warn-bg: #fff4d6; --bad: #a61b1b; --bad-bg: #fdecec; --focus: #ffbf47;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5; font-size: 16px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { color: var(--accent-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--fg); }
[hidden], .js .nojs { display: none !important; }
.jsonly { display: none; }
.chooser { border: 1px solid var(--line); border-radius: 10px; padding: 8px 12px 12px; margin: 0 0 12px; background: var(--card); }
.chooser legend { font-weight: 600; padding: 0 4px; }
.chooser label { display: flex; align-items: center; gap: 10px; min-height: 44px; padding: 0 4px; cursor: pointer; }
.chooser input { width: 20px; height: 20px; margin: 0; }
.wrap { max-width: 980px; margin: 0 auto; padding: 0 16px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--card); color: var(--fg); padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { background: var(--brand); color: #fff; }
.top .wrap { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 16px; padding-top: 12px; padding-bottom: 12px; }
.brand { font-weight: 600; font-size: 0.95rem; }
.brand b { font-size: 1.05rem; margin-right: 8px; letter-spacing: 0.02em; }
.langs ul { list-style: none; display: flex; gap: 4px; margin: 0; padding: 0; }
.langs a { color: #fff; text-decoration: none; padding: 4px 10px; border-radius: 6px; border: 1px solid transparent; display: inline-block; }
.langs a:hover { border-color: rgba(255, 255, 255, 0.6); color: #fff; }
.langs a[aria-current="page"] { background: #fff; color: var(--brand); font-weight: 600; }
main.wrap { padding-top: 20px; padding-bottom: 24px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px; margin: 0 0 16px; }
h1 { font-size: 1.5rem; line-height: 1.3; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 12px; }
h3 { font-size: 1.1rem; margin: 0 0 12px; }
.issuer { color: var(--muted); margin: 0 0 16px; }
.due { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; background: #f5f8fb; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin: 0 0 16px; }
.due .label { color: var(--muted); font-weight: 600; }
.due .value { font-size: 1.75rem; font-weight: 700; letter-spacing: 0.01em; }
.deadline { margin: 0 0 16px; }
.deadline .left { font-weight: 600; }
dl.facts { display: grid; grid-template-columns: minmax(140px, max-content) 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
h3.sub { font-size: 1rem; margin: 16px 0 8px; }
.badge { display: inline-block; font-weight: 700; border-radius: 999px; padding: 2px 12px; margin: 0 0 8px; border: 1px solid currentColor; }
.badge-open { color: var(--accent-dark); background: #e8f1fb; }
.badge-processing { color: var(--warn); background: var(--warn-bg); }
.badge-paid { color: var(--ok); background: var(--ok-bg); }
.badge-expired, .badge-cancelled { color: var(--bad); background: var(--bad-bg); }
.status-text, .amounts, .exception, .receipt { margin: 0 0 8px; }
.exception { color: var(--warn); background: var(--warn-bg); border-radius: 8px; padding: 8px 12px; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.notice { background: var(--warn-bg); color: var(--warn); border-radius: 8px; padding: 10px 14px; margin: 0 0 12px; }
.options { display: grid; gap: 16px; }
.option { display: grid; grid-template-columns: 220px minmax(0, 1fr); gap: 20px; }
.option h3 { grid-column: 1 / -1; margin: 0; }
.qr { text-align: center; }
.qr svg { width: 100%; max-width: 220px; height: auto; display: block; margin: 0 auto; border: 1px solid var(--line); border-radius: 8px; }
.qr p { margin: 6px 0 0; color: var(--muted); font-size: 0.9rem; }
.field { margin: 0 0 12px; }
.field .name { display: block; color: var(--muted); font-size: 0.9rem; font-weight: 600; }
.field .row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; overflow-wrap: anywhere; word-break: break-all; }
.amount-value { font-size: 1.35rem; font-weight: 700; }
.address-value { font-size: 1rem; background: #f5f8fb; border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
button, .button-link {
  font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid var(--accent); padding: 6px 14px;
  background: var(--card); color: var(--accent-dark); min-height: 36px;
}
button:hover { background: #e8f1fb; }
button:disabled { cursor: not-allowed; opacity: 0.6; }
button.pay, .button-link { background: var(--accent); color: #fff; font-weight: 600; padding: 10px 18px; min-height: 44px; text-decoration: none; display: inline-block; }
button.pay:hover, .button-link:hover { background: var(--accent-dark); color: #fff; }
.wallet { margin-top: 8px; padding-top: 12px; border-top: 1px solid var(--line); }
.wallet-msg { margin: 8px 0 0; overflow-wrap: anywhere; }
.wallet-msg.ok { color: var(--ok); }
.wallet-msg.error { color: var(--bad); }
.tx-hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.facts-small { font-size: 0.92rem; }
.details dl.facts { margin: 4px 0 12px; }
.uri { color: var(--muted); font-size: 0.85rem; line-height: 1.35; display: inline-block; margin-top: 2px; }
footer { color: var(--muted); font-size: 0.9rem; padding-bottom: 32px; }
.table-wrap { overflow-x: auto; }
table.payments { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
table.payments th, table.payments td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.payments th { color: var(--muted); font-weight: 600; }
table.payments td.num { white-space: nowrap; }
.verify-grid { display: grid; grid-template-columns: 180px minmax(0, 1fr); gap: 20px; }
.verify-grid .qr svg { max-width: 180px; }
@media (max-width: 640px) {
  .option, .verify-grid { grid-template-columns: minmax(0, 1fr); }
  /* Paying from this phone: amount, address and wallet button first; the QR code (for another device) after. */
  .option h3 { order: 0; }
  .option .details { order: 1; }
  .option .qr { order: 2; }
  /* One option at a time, chosen above (only with the script, which keeps the choice). */
  .js .chooser.jsonly { display: block; }
  .js .options .option:not(.chosen) { display: none; }
  .qr svg { max-width: 240px; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin-bottom: 8px; }
  .due .value { font-size: 1.5rem; }
  h1 { font-size: 1.3rem; }
}
@media print {
  body { background: #fff; font-size: 11pt; }
  .top, .langs, .skip, .no-print, footer { display: none !important; }
  .card { border: 1px solid #999; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .due { background: none; }
}
`;
