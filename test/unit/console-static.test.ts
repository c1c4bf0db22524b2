/**
 * The console as files: the build writes its four files, and the local runtime's static answers keep to the one
 * directory (no traversal, no hidden or unknown files), redirect the bare prefix, and carry the strict CSP. Also
 * the console's exact money formatting (decimal strings shifted as text, never through a float).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMicroUsd, shiftDecimal } from '../../console/src/format';
import { buildConsole, consoleFiles } from '../../infra/console-build';
import { CONSOLE_CSP, staticAnswer } from '../../infra/local/static-files';

let dir: string;

beforeAll(async () => {
  dir = await buildConsole({ outDir: mkdtempSync(join(tmpdir(), 'console-test-')), config: { mode: 'dev' } });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the console build and its static serving', () => {
  it('writes index.html, styles.css, main.js and config.json; the page loads only its own files', () => {
    for (const name of consoleFiles) expect(readFileSync(join(dir, name)).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ mode: 'dev' });
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<script type="module" src="main.js"></script>');
    expect(html).not.toMatch(/https?:\/\/|<style|style=/);
  });

  it('answers files of the directory with the CSP, redirects the prefix, and 404s anything else', async () => {
    const sites = [{ prefix: '/console', dir }];
    expect(await staticAnswer(sites, 'GET', '/console')).toMatchObject({
      status: 301,
      headers: { location: '/console/' },
    });
    const index = await staticAnswer(sites, 'GET', '/console/');
    expect(index).toMatchObject({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(index?.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/^default-src 'self';/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe|https?:/);
    expect((await staticAnswer(sites, 'GET', '/console/main.js'))?.headers['content-type']).toMatch(/javascript/);
    for (const path of [
      '/console/../package.json',
      '/console/%2e%2e/x.js',
      '/console/.env.json',
      '/console/a/b.js',
      '/console/nope.js',
      '/console/x.exe',
    ])
      expect((await staticAnswer(sites, 'GET', path))?.status, path).toBe(404);
    expect(await staticAnswer(sites, 'POST', '/console/')).toBeUndefined();
    expect(await staticAnswer(sites, 'GET', '/v1/health')).toBeUndefined();
    expect(await staticAnswer(sites, 'GET', '/consolex')).toBeUndefined();
  });

  it('formats money exactly: every digit of a micro-USD or base-unit string kept', () => {
    expect(shiftDecimal('4570000', 6)).toBe('4.57');
    expect(shiftDecimal('1', 18)).toBe('0.000000000000000001');
    expect(shiftDecimal('249999999999999999999', 18)).toBe('249.999999999999999999');
    expect(shiftDecimal('0', 6)).toBe('0');
    expect(formatMicroUsd('3000000000', 'en')).toBe('US$3,000.00');
    expect(formatMicroUsd('1234567', 'en')).toBe('US$1.234567');
    expect(formatMicroUsd(undefined, 'en')).toBe('—');
  });
});
