// The built program: its parts, and gen-config run from them end to end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BUNDLE, ROOT, runBundle, tempDir } from './helpers';

test('the program is one file per part, with no node_modules: the entry point starts with its shebang, the parts load lazily', () => {
  const dir = path.dirname(BUNDLE);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.cjs')).sort(), ['deploy.cjs', 'gen-config.cjs', 'main.cjs', 'pi-textfile.cjs', 'program.cjs']);
  assert.ok(fs.readFileSync(BUNDLE, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.match(fs.readFileSync(BUNDLE, 'utf8'), /var MAIN = require\('path'\)\.join\(__dirname, 'main\.cjs'\);/);
  const text = fs.readFileSync(path.join(dir, 'main.cjs'), 'utf8');
  // collect is parsed in the main file; the commander program and the other commands are parts.
  assert.match(text, /require\("\.\/program\.cjs"\)/);
  assert.match(text, /require\("\.\/deploy\.cjs"\)/);
  const program = fs.readFileSync(path.join(dir, 'program.cjs'), 'utf8');
  assert.match(program, /require\("\.\/gen-config\.cjs"\)/);
  assert.match(program, /require\("\.\/deploy\.cjs"\)/);
});

test('the bundle runs gen-config end to end: same files as the goldens', () => {
  const cluster = path.join(ROOT, 'test', 'fixtures', 'clusters', 'three-node');
  const out = tempDir();
  const r = runBundle(['gen-config', '--config', path.join(cluster, 'cluster.yml'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['prometheus.yml', 'pi-textfile.rules.yml', 'prometheus-node-exporter']) {
    assert.equal(fs.readFileSync(path.join(out, f), 'utf8'), fs.readFileSync(path.join(cluster, 'expected', f), 'utf8'), f);
  }
  const invalid = path.join(tempDir(), 'cluster.yml');
  fs.writeFileSync(invalid, 'cluster: c\nnodes: []\n');
  const bad = runBundle(['gen-config', '--check', '--config', invalid]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `${invalid}:2:8: /nodes: needs at least one node\n${invalid}: 1 problem; nothing was written\n`);
});

test('npm pack, then npm install -g of the tarball offline: one package, no dependencies, and it runs', () => {
  const work = tempDir('pi-textfile-pack-');
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', work, '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = path.join(work, pack.stdout.trim().split('\n').pop()!);
  const prefix = path.join(work, 'prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, install.stderr);
  assert.match(install.stdout, /added 1 package/);
  const installed = path.join(prefix, 'lib', 'node_modules', 'pi-textfile');
  assert.ok(!fs.existsSync(path.join(installed, 'node_modules')), 'no dependency installed beside it');
  const run = spawnSync(path.join(prefix, 'bin', 'pi-textfile'), ['gen-config', '--check', '--config', path.join(ROOT, 'test', 'fixtures', 'clusters', 'three-node', 'cluster.yml')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const collect = spawnSync(path.join(prefix, 'bin', 'pi-textfile'), ['collect', '--stdout', '--path.procfs', path.join(ROOT, 'test', 'fixtures', 'boards', 'not-a-pi', 'proc'), '--path.sysfs', path.join(ROOT, 'test', 'fixtures', 'boards', 'not-a-pi', 'sys')], { encoding: 'utf8' });
  assert.equal(collect.status, 0, collect.stderr);
  assert.match(collect.stdout, /^pi_textfile_collector_success\{collector="board"\} 1$/m);
});
