/**
 * Static files the local runtime serves beside the API (the console under `/console`), with the headers the cloud's
 * CloudFront distribution gives them: a strict CSP (only this origin; no inline script or style, no third party),
 * no framing, no sniffing, no referrer, and no caching (a rebuilt console is picked up at once).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The console's Content-Security-Policy: everything from this origin only, nothing inline, never framed. */
export const CONSOLE_CSP =
  "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
};

/** A static site: the URL prefix it answers under (`/console`) and the directory its files are in. */
export interface StaticSite {
  prefix: string;
  dir: string;
  /**
   * Other origins its pages may fetch from (the console downloads an export's files from their presigned S3 links,
   * locally on the emulator's origin): added to the CSP's `connect-src`, nothing else.
   */
  connectOrigins?: string[];
}

/** The CSP of a site's answers: {@link CONSOLE_CSP}, with the site's extra fetch origins when it has any. */
function cspOf(site: StaticSite): string {
  const origins = (site.connectOrigins ?? []).map((o) => new URL(o).origin);
  return origins.length ? `${CONSOLE_CSP}; connect-src 'self' ${origins.join(' ')}` : CONSOLE_CSP;
}

/** What to answer for a request under a site: a redirect, a file, or a 404; undefined when no site serves the path. */
export type StaticAnswer =
  | { status: 301; headers: Record<string, string>; body: string }
  | { status: 200 | 404; headers: Record<string, string>; body: Buffer | string };

/**
 * The answer for `GET`/`HEAD` `pathname` from the first site whose prefix it is under: the prefix itself redirects
 * to `prefix/` (so the page's relative links resolve), `prefix/` is `index.html`, and `prefix/<name>` a file of the
 * directory (one segment of safe characters: no traversal, no hidden files).
 */
export async function staticAnswer(
  sites: StaticSite[],
  method: string,
  pathname: string,
): Promise<StaticAnswer | undefined> {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const site = sites.find((s) => pathname === s.prefix || pathname.startsWith(`${s.prefix}/`));
  if (!site) return undefined;
  if (pathname === site.prefix) {
    return { status: 301, headers: { location: `${site.prefix}/`, 'content-type': 'text/plain' }, body: '' };
  }
  const name = pathname.slice(site.prefix.length + 1) || 'index.html';
  const type = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.([a-z0-9]+)$/.exec(name)?.[1];
  const headers = {
    'content-security-policy': cspOf(site),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  const contentType = type ? TYPES[type] : undefined;
  if (contentType) {
    try {
      const body = await readFile(join(site.dir, name));
      return { status: 200, headers: { ...headers, 'content-type': contentType }, body };
    } catch {
      // Absent: the 404 below.
    }
  }
  return { status: 404, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };
}
