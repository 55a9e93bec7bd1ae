// Guard: every collector file is registered, and names follow the conventions.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COLLECTORS } from '../src/collectors/index';
import { ROOT } from './helpers';

test('every file in src/collectors is registered under its own name', () => {
  const files = fs.readdirSync(path.join(ROOT, 'src', 'collectors')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
  assert.deepEqual(COLLECTORS.map((c) => c.name).sort(), files);
});

test('metric names: rpi_ prefix for hardware, unit suffixes, no duplicates across collectors', () => {
  const seen = new Set<string>();
  for (const c of COLLECTORS) {
    for (const m of c.metrics) {
      assert.ok(!seen.has(m.name), `${m.name} declared twice`);
      seen.add(m.name);
      assert.match(m.name, /^rpi_/);
      assert.match(m.name, /_(info|bytes|celsius|hertz|volts|amperes|seconds|active|occurred|voided)$/, m.name);
      assert.ok(m.help.length > 10 && !m.help.includes('\n'));
    }
  }
});
