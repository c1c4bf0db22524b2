/**
 * A stand-in for the National Bank of Kazakhstan's rates feed (`get_rates.cfm?fdate=DD.MM.YYYY`), serving the
 * committed fixture for every weekday with that day's date, and `<rates/>` on weekends, so refresh-rates
 * exercises both the normal and the walk-back path.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'nbk', '2026-11-25.xml'),
  'utf8',
);

export interface MockNbk {
  /** Base URL to put in NBK_RATES_URL. */
  url: string;
  close(): Promise<void>;
}

export async function startMockNbk(): Promise<MockNbk> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fdate = url.searchParams.get('fdate') ?? '';
    const match = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(fdate);
    if (url.pathname !== '/rss/get_rates.cfm' || !match) {
      res.writeHead(404).end();
      return;
    }
    const day = new Date(`${match[3]}-${match[2]}-${match[1]}T00:00:00Z`).getUTCDay();
    const body = day === 0 || day === 6 ? '<rates/>' : fixture.replace(/<date>[^<]*<\/date>/, `<date>${fdate}</date>`);
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/rss/get_rates.cfm`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
