#!/usr/bin/env node
// The `stablefee` command (npx stablefee verify-export <dir>): loads the TypeScript CLI through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('../tools/stablefee.ts');
