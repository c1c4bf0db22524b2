/**
 * Builds the console (console/) into a directory of static files: `index.html`, `styles.css`, `main.js` (esbuild:
 * one minified ES module with Preact inside, no CDN at run time) and `config.json`, which tells the console how to
 * sign in (the local dev issuer, or the stack's Cognito hosted UI). The local runtime serves that directory under
 * `/console`; the CDK stack deploys it (S3 + CloudFront), writing its own `config.json`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = join(ROOT, 'console');

/** How the console signs users in; served as `config.json` beside it. */
export type ConsoleConfig =
  | { mode: 'dev' }
  | {
      mode: 'cognito';
      /** The hosted UI's base URL, e.g. `https://stablefee-123.auth.eu-central-1.amazoncognito.com`. */
      domain: string;
      /** The console's public app client (authorization code with PKCE). */
      clientId: string;
    };

/** The files a build writes, relative to its directory. */
export const consoleFiles = ['index.html', 'styles.css', 'main.js', 'config.json'] as const;

/**
 * Bundles the console into `outDir` (default `dist/console`) and writes `config.json` from `config` (default: the
 * local dev sign-in). Resolves with the directory.
 */
export async function buildConsole(
  /** `config: null` writes no config.json (the CDK stack writes the cloud's at deploy time). */
  options: { outDir?: string; config?: ConsoleConfig | null; minify?: boolean } = {},
): Promise<string> {
  const outDir = resolve(options.outDir ?? join(ROOT, 'dist', 'console'));
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(CONSOLE, 'src', 'main.tsx')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(CONSOLE, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  copyFileSync(join(CONSOLE, 'public', 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(CONSOLE, 'public', 'styles.css'), join(outDir, 'styles.css'));
  if (options.config !== null)
    writeFileSync(join(outDir, 'config.json'), JSON.stringify(options.config ?? { mode: 'dev' }));
  return outDir;
}
