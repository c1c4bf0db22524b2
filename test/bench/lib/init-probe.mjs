// Imports one bundle in this fresh process and prints how long the import took (module init), in milliseconds.
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
const t0 = performance.now();
await import(pathToFileURL(file).href);
const t1 = performance.now();
process.stdout.write(`${JSON.stringify({ initMs: t1 - t0 })}\n`);
