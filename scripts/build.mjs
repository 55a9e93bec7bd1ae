// Builds dist/pi-textfile.cjs: one CommonJS file with every dependency inlined, runnable with no
// node_modules beside it, for Node 18.17 and newer.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/pi-textfile.cjs';
const result = await build({
  entryPoints: ['src/bin.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18.17',
  minify: true,
  legalComments: 'eof',
  banner: { js: '#!/usr/bin/env node' },
  metafile: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
const bytes = Object.values(result.metafile.outputs)[0].bytes;
console.log(`built ${outfile} (${(bytes / 1024).toFixed(1)} KiB)`);
