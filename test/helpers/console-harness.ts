/**
 * A console screen in a real browser without the shell: a harness module (Preact render of a screen over an API
 * object) bundled with esbuild for the browser as the console is bundled, served with a page by a local HTTP server
 * whose other routes the test answers (a fake API, or a proxy to the local runtime with a token).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The harness module `source` (imports resolve from the repository's root) bundled for the browser. */
export async function bundleHarness(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

export interface Harness {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` (a page in `?lang=`, default en, loading the bundle) and `/bundle.js`; every other request goes to
 * `answer`, which sends the response.
 */
export async function startHarness(
  bundle: string,
  answer: (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>,
): Promise<Harness> {
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/') {
      const lang = url.searchParams.get('lang') ?? 'en';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>console harness</title></head>` +
          '<body><main id="root"></main><script type="module" src="/bundle.js"></script></body></html>',
      );
      return;
    }
    if (url.pathname === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
      return;
    }
    Promise.resolve(answer(req, res, url)).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
