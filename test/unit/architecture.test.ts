/**
 * The layers of shared/ and the rule that keeps them apart (biome.json, `noRestrictedImports` per folder): the
 * domain imports no adapter, use case, web module, AWS SDK or Lambda type; a use case imports no AWS SDK; nothing in
 * shared/ imports infra/; the verifier (shared/verify, run in browsers too) imports no Node built-in, AWS or adapter. Each rule is proven by a deliberate violation that `biome lint` must refuse.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProbe as lint, repoRoot as root } from '../helpers/lint-probe';

/** Lints a probe module at `path` (repo-relative) importing `specifier`. */
function lintProbe(path: string, specifier: string) {
  return lint(path, `import * as probe from '${specifier}';\n\nexport const used = probe;\n`);
}

describe('the layout shows the architecture', () => {
  it('shared/ holds the layers and two one-file modules, nothing flat', () => {
    const entries = readdirSync(join(root, 'shared')).sort();
    expect(entries).toEqual(['adapters', 'app', 'domain', 'ports.ts', 'resources.ts', 'verify', 'web']);
  });

  const probe = `__layer_probe_${process.pid}.ts`;
  const refused: [string, string, string][] = [
    ['the domain importing an adapter', `shared/domain/${probe}`, '../adapters/aws/dynamodb'],
    ['the domain importing a use case', `shared/domain/${probe}`, '../app/issue-invoice'],
    ['the domain importing the web', `shared/domain/${probe}`, '../web/pay-page/view'],
    ['the domain importing the AWS SDK', `shared/domain/${probe}`, '@aws-sdk/client-s3'],
    ['the domain importing Lambda types', `shared/domain/${probe}`, 'aws-lambda'],
    ['a use case importing the AWS SDK', `shared/app/${probe}`, '@aws-sdk/lib-dynamodb'],
    ['an adapter importing infra/', `shared/adapters/${probe}`, '../../infra/topology'],
    ['a use case importing infra/', `shared/app/${probe}`, '../../infra/topology'],
    ['a use case importing a store adapter', `shared/app/${probe}`, '../adapters/dynamo/transact'],
    ['a use case importing a chain adapter', `shared/app/${probe}`, '../adapters/chain/json-rpc-chain'],
    ['the verifier importing a Node built-in', `shared/verify/${probe}`, 'node:fs/promises'],
    ['the verifier importing a bare Node built-in', `shared/verify/${probe}`, 'crypto'],
    ['the verifier importing the AWS SDK', `shared/verify/${probe}`, '@aws-sdk/client-s3'],
    ['the verifier importing an adapter', `shared/verify/${probe}`, '../adapters/aws/s3'],
    ['the verifier importing a use case', `shared/verify/${probe}`, '../app/export-files'],
  ];
  it.each(refused)('refuses %s', async (_name, path, specifier) => {
    const result = await lintProbe(path, specifier);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/noRestrictedImports|noNodejsModules/);
  });

  const allowed: [string, string, string][] = [
    ['the domain importing the domain', `shared/domain/${probe}`, './money'],
    ['the domain importing the ports', `shared/domain/${probe}`, '../ports'],
    ['a use case importing the ports', `shared/app/${probe}`, '../ports'],
    ['a use case importing the logger', `shared/app/${probe}`, '../adapters/observability'],
    ['a use case importing the metrics', `shared/app/${probe}`, '../adapters/metrics'],
    ['an adapter importing the AWS SDK', `shared/adapters/${probe}`, '@aws-sdk/client-s3'],
    ['the verifier importing the domain', `shared/verify/${probe}`, '../domain/receipts'],
    ['the verifier importing the browser CSV parser', `shared/verify/${probe}`, 'csv-parse/browser/esm/sync'],
  ];
  it.each(allowed)('allows %s', async (_name, path, specifier) => {
    const result = await lintProbe(path, specifier);
    expect(result.output).not.toMatch(/noRestrictedImports|noNodejsModules/);
    expect(result.ok).toBe(true);
  });
});
