// The bundle: one file, and gen-config's heavy dependencies stay off collect's start-up path.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BUNDLE, ROOT, runBundle, tempDir } from './helpers';

test('collect never loads yaml, ajv, fast-glob or the deployment commands: they are embedded parts, compiled on demand', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const direct = Object.keys(meta.inputs).filter((f) => /node_modules\/(yaml|ajv|fast-glob)\/|src\/(gen-config|deploy)\/|src\/commands\/(install|doctor)/.test(f));
  assert.deepEqual(direct, [], 'yaml, ajv, fast-glob, gen-config and deploy code must not be parsed with the rest of the bundle');
  const text = fs.readFileSync(BUNDLE, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'));
  assert.match(text, /new Function\("module","exports","require","__filename","__dirname",/, 'gen-config is embedded as a string');
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
