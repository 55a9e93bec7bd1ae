// Fetches the Node.js builds of test/platforms.json into build/nodes/PACKAGE-VERSION/node, from the
// npm registry (`npm pack`, which works for a foreign CPU where `npm install` refuses). Builds
// already there are kept.
//   node test/fetch-nodes.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const { platforms, refused } = JSON.parse(readFileSync(path.join(root, 'test', 'platforms.json'), 'utf8'));
for (const { package: pkg, version } of [...platforms, ...refused]) {
  const dir = path.join(root, 'build', 'nodes', `${pkg}-${version}`);
  if (existsSync(path.join(dir, 'node'))) continue;
  const work = mkdtempSync(path.join(os.tmpdir(), 'pi-textfile-node-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work, `${pkg}@${version}`], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/bin/node'], { timeout: 120_000 });
    mkdirSync(dir, { recursive: true });
    renameSync(path.join(work, 'package', 'bin', 'node'), path.join(dir, 'node'));
    console.log(`fetched ${pkg}@${version}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
