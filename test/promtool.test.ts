// Every .prom this project produces passes `promtool check metrics` (Prometheus 2.42, Debian).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { boardArgs, boardNames, BOARDS, BUNDLE, promtoolCheckMetrics, requireTool, runBundle } from './helpers';

const promtool = requireTool('promtool', 'prometheus');

for (const board of boardNames()) {
  test(`promtool check metrics: golden ${board}`, { skip: promtool.skip }, () => {
    const text = fs.readFileSync(path.join(BOARDS, board, 'expected.prom'), 'utf8');
    const r = promtoolCheckMetrics(promtool.path!, text);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });

  test(`promtool check metrics: bundle output on ${board}`, { skip: promtool.skip }, () => {
    assert.ok(fs.existsSync(BUNDLE), 'run npm run build first');
    const out = runBundle(['collect', '--stdout', ...boardArgs(board)]);
    assert.equal(out.code, 0, out.stderr);
    const r = promtoolCheckMetrics(promtool.path!, out.stdout);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });
}
