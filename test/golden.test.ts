// Golden output per fixture board: the exposition (and any warnings) `collect --stdout` produces.
// Update with `npm run golden:update` and review the diff.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { boardArgs, boardNames, BOARDS, portable, runMain, UPDATE } from './helpers';

for (const board of boardNames()) {
  test(`golden: ${board}`, async () => {
    const out = await runMain(['collect', '--stdout', ...boardArgs(board)]);
    assert.equal(out.code, 0, out.stderr);
    const promFile = path.join(BOARDS, board, 'expected.prom');
    const errFile = path.join(BOARDS, board, 'expected.stderr');
    if (UPDATE) {
      fs.writeFileSync(promFile, out.stdout);
      fs.writeFileSync(errFile, portable(out.stderr));
    }
    assert.equal(out.stdout, fs.readFileSync(promFile, 'utf8'), `${board}: exposition differs from expected.prom`);
    assert.equal(portable(out.stderr), fs.readFileSync(errFile, 'utf8'), `${board}: warnings differ from expected.stderr`);
  });
}
