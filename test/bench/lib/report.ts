/** Targets, pass/miss, and the printed table of a bench run. */

// Section results are JSON read back from the children.
type Json = any;

export const targets = {
  storeOverheadRatio: { max: 1.5, text: 'store overhead ratio ≤ 1.5 (physical limit 1.0)' },
  initRatio: { max: 1.5, text: "every function's init time ≤ 1.5× the baseline bundle's" },
  sizeRatio: { max: 1.5, text: "every function's size ≤ 1.5× the baseline bundle's" },
  scannerRatio: { max: 1.3, text: 'scanner within 1.3× of raw eth_getLogs' },
  scannerHistoryRatio: {
    max: 1.1,
    text: 'scanner store items read per run with 10,000 expired addresses ≤ 1.1× the run without them',
  },
  exportTimeRatio: { max: 2, text: 'export time within 2× of reading the same items from the table alone' },
  exportRssFlat: {
    max: 1.2,
    text: 'export peak RSS flat in the row count (≤ 1.2×; issue: 10,000 → 100,000, measured 2,000 → 10,000 on moto)',
  },
  queriesPerFilteredPage: { max: 2, text: '≤ 2 Queries per filtered page (20 paid among 2,000 invoices)' },
  requestsPerTransfer: {
    max: 5,
    text: 'DynamoDB requests per transfer ≤ 5 (webhook seen → final → receipt delivered; confirmer list Queries apart)',
  },
  attemptsPerReceipt: {
    max: 1.2,
    text: 'receipt transaction attempts per receipt ≤ 1.2 (20 final at once, one ministry), numbering gapless',
  },
} as const;

/** true / false, or null when the figure was not measured. */
export function passes(figures: Json): Record<keyof typeof targets, boolean | null> {
  const fns: Json[] = figures.bundles?.functions ?? [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const le = (v: unknown, max: number) => (num(v) === undefined ? null : (v as number) <= max);
  return {
    storeOverheadRatio: le(figures.pipeline?.store?.ratio, targets.storeOverheadRatio.max),
    initRatio: fns.length ? fns.every((f) => f.initRatio <= targets.initRatio.max) : null,
    sizeRatio: fns.length ? fns.every((f) => f.sizeRatio <= targets.sizeRatio.max) : null,
    scannerRatio: le(figures.scanner?.ratio, targets.scannerRatio.max),
    scannerHistoryRatio: le(
      figures.scanner?.storeItemsReadPerRun / figures.scanner?.storeItemsReadPerRunNoHistory,
      targets.scannerHistoryRatio.max,
    ),
    exportTimeRatio: le(figures.export?.timeRatio, targets.exportTimeRatio.max),
    exportRssFlat: le(figures.export?.rssRatio, targets.exportRssFlat.max),
    queriesPerFilteredPage: le(figures.lists?.queriesPerFilteredPage, targets.queriesPerFilteredPage.max),
    requestsPerTransfer: le(figures.pipeline?.store?.requestsPerTransfer, targets.requestsPerTransfer.max),
    attemptsPerReceipt:
      figures.contention?.gapless === false
        ? false
        : le(figures.contention?.attemptsPerReceipt, targets.attemptsPerReceipt.max),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const mark = (p: boolean | null) => (p === null ? 'not measured' : p ? 'met' : 'MISSED');

/** The human-readable report of a run (Markdown tables, so it pastes into the README as is). */
export function render(result: Json): string {
  const f = result.figures;
  const out: string[] = [];
  out.push(
    `stablefee bench — ${result.date} — ${result.machine.cpus} CPUs, Node ${result.machine.node}, N = ${result.n}`,
  );
  out.push('');
  const rows: string[][] = [['figure', 'value', 'comparison (same run)']];
  const p = f.pipeline;
  if (p && !p.error) {
    rows.push([
      `pipeline throughput (N = ${p.n}, ${p.completed} completed)`,
      `${p.throughputPerS} transfers/s`,
      `all N paid at once; to ${p.endpoint}`,
    ]);
    rows.push([
      'pipeline latency p50 / p99',
      `${p.latencyMs.p50} / ${p.latencyMs.p99} ms`,
      'webhook arrival → receipt',
    ]);
    rows.push([
      'store overhead ratio',
      `${p.store.ratio}`,
      `${p.store.pipelinePerTransfer.busyMs} ms/transfer vs ${p.store.baseline.busyMs} ms minimal transaction`,
    ]);
    const reads = (p.chainReadsPerTransfer ?? {}) as Record<string, number>;
    const total = Object.values(reads).reduce((a, b) => a + b, 0);
    rows.push([
      'chain reads per transfer (trust rule)',
      `${Math.round(total * 100) / 100} RPC calls`,
      Object.entries(reads)
        .map(([m, v]) => `${m} ${v}`)
        .join(', ') || 'none',
    ]);
    if (p.store.requestsPerTransfer !== undefined) {
      rows.push([
        'DynamoDB requests per transfer',
        `${p.store.requestsPerTransfer}`,
        `${p.store.transactionItemsPerTransfer} transaction items; ${p.store.cancelledTransactionsPerTransfer} cancelled transactions; confirmer list Queries apart: ${p.store.confirmerListQueries}`,
      ]);
    }
  } else rows.push(['pipeline', 'failed', String(p?.error ?? 'not run')]);
  const k = f.contention;
  if (k && !k.error) {
    rows.push([
      `receipt numbering (${k.concurrent} final at once, ${k.ministry})`,
      `${k.attemptsPerReceipt} attempts per receipt`,
      `${k.transactionAttempts} transactions for ${k.receipts} receipts, ${k.cancelled} cancelled; gapless: ${k.gapless ? 'yes' : 'NO'}`,
    ]);
  } else if (k) rows.push(['receipt numbering', 'failed', String(k.error)]);
  const c = f.cpu;
  if (c && !c.error) {
    rows.push([
      'CPU per transfer (reconcile use case, in-memory store)',
      `${c.usPerTransfer} µs`,
      `${c.usPerTransferWithoutSigning} µs without signing; ${c.storeReadsPerTransfer} store reads, ${c.storeCommitsPerTransfer} commits`,
    ]);
  } else rows.push(['CPU per transfer', 'failed', String(c?.error ?? 'not run')]);
  const s = f.scanner;
  if (s && !s.error) {
    rows.push([
      `scanner (${s.blocks} blocks, ${s.watchedAddresses} addresses)`,
      `${s.scannerBlocksPerS} blocks/s`,
      `raw eth_getLogs ${s.rawBlocksPerS} blocks/s: ratio ${s.ratio} (${s.scannerStoreMs} of ${s.scannerMs} ms in DynamoDB)`,
    ]);
    if (s.storeItemsReadPerRun !== undefined) {
      rows.push([
        `scanner store items read per run (${s.storeItemsReadAddresses?.active} active, ${s.storeItemsReadAddresses?.expired} expired addresses)`,
        `${s.storeItemsReadPerRun} items`,
        `${s.storeItemsReadPerRunNoHistory} with the active addresses alone: ratio ${s.storeItemsReadRatio}; ${s.storeItemsReadPerWarmRun} by a warm container, nothing new issued`,
      ]);
    }
    const sw = s.warmAddressSet;
    if (sw) {
      rows.push([
        'scanner, warm container (address set kept across runs)',
        `${sw.blocksPerS} blocks/s`,
        `ratio ${sw.ratio} (${sw.storeMs} of ${sw.scannerMs} ms in DynamoDB); address issued after a run found by the next: ${sw.issuedAddressCheck?.foundByNextWarmRun ? 'yes' : 'no'}`,
      ]);
    }
  } else rows.push(['scanner', 'failed', String(s?.error ?? 'not run')]);
  const e = f.export;
  if (e && e.status !== 'not measured' && !e.error) {
    rows.push([
      `export (${e.rows} receipts)`,
      `${e.rowsPerS} rows/s, peak RSS ${e.peakRssMb} MB`,
      `table read alone ${e.readRowsPerS} rows/s: time ratio ${e.timeRatio}; peak RSS ${e.smallPeakRssMb} MB at ${e.smallRows} rows: ratio ${e.rssRatio}`,
    ]);
  } else rows.push(['export', 'not measured', String(e?.reason ?? e?.error ?? 'not run')]);
  const l = f.lists;
  if (l && !l.error) {
    const pg = l.pages;
    rows.push([
      `filtered list page (${l.paid} paid among ${l.invoices}, limit ${l.limit})`,
      `${l.queriesPerFilteredPage} Queries (${pg.ministryPaid.itemsRead} items read)`,
      `auditor ${pg.auditorPaid.queries} Queries; status=expired ${pg.ministryExpired.queries}; unfiltered ${pg.ministryAll.queries}`,
    ]);
  } else rows.push(['filtered list page', 'failed', String(l?.error ?? 'not run')]);
  out.push(table(rows));
  out.push('');

  const b = f.bundles;
  if (b && !b.error) {
    const brows: string[][] = [['bundle', 'KB', '× base', 'init ms', '× base', 'largest inputs (KB)']];
    const top = (x: Json) => x.top.map((t: Json) => `${t.input} ${t.kb}`).join(', ');
    brows.push([b.baseline.name, String(b.baseline.kb), '1', String(b.baseline.initMs), '1', top(b.baseline)]);
    for (const fn of b.functions) {
      brows.push([fn.name, String(fn.kb), String(fn.sizeRatio), String(fn.initMs), String(fn.initRatio), top(fn)]);
    }
    out.push(table(brows));
    out.push('');
  } else out.push(`bundles: ${b?.error ?? 'not run'}\n`);

  const pass = result.pass as Record<keyof typeof targets, boolean | null>;
  out.push(
    table([
      ['target', 'result'],
      ...Object.entries(targets).map(([k, t]) => [t.text, mark(pass[k as keyof typeof targets])]),
    ]),
  );
  return out.join('\n');
}
