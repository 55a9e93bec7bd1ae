// End to end: the built bundle, copied alone into an empty directory (no node_modules anywhere
// above it), writes into a textfile directory that a real prometheus-node-exporter (Debian
// package) reads. /metrics must show node_textfile_scrape_error 0 and every series of the
// fixture's golden, with the same values.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { boardArgs, boardNames, BOARDS, copyProgram, freePort, httpGet, parseSeries, requireTool, runBundle, tempDir, waitFor } from './helpers';

const exporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');
let child: ChildProcess | undefined;
let port = 0;
let textfileDir = '';
let loneBundle = '';

before(async () => {
  if (exporter.skip) return;
  const work = tempDir('pi-textfile-e2e-');
  textfileDir = path.join(work, 'textfile');
  fs.mkdirSync(textfileDir);
  fs.mkdirSync(path.join(work, 'bin'));
  loneBundle = copyProgram(path.join(work, 'bin'));
  port = await freePort();
  child = spawn(exporter.path!, [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    '--collector.textfile',
    `--collector.textfile.directory=${textfileDir}`,
  ], { stdio: 'ignore' });
  await waitFor(async () => ((await httpGet(`http://127.0.0.1:${port}/metrics`)).status === 200 ? true : undefined), 15_000, 'node_exporter to listen');
});

after(() => {
  child?.kill('SIGKILL');
});

for (const board of boardNames()) {
  test(`node_exporter serves the ${board} file without a scrape error`, { skip: exporter.skip }, async () => {
    for (const f of fs.readdirSync(textfileDir)) fs.rmSync(path.join(textfileDir, f));
    const out = runBundle(['collect', '--once', '--textfile.directory', textfileDir, ...boardArgs(board)], { bundle: loneBundle, cwd: path.dirname(loneBundle) });
    assert.equal(out.code, 0, out.stderr);
    const written = fs.statSync(path.join(textfileDir, 'pi-textfile.prom'));
    assert.equal(written.mode & 0o777, 0o644);
    const served = parseSeries((await httpGet(`http://127.0.0.1:${port}/metrics`)).body);
    assert.equal(served.get('node_textfile_scrape_error{}'), 0);
    const expected = parseSeries(fs.readFileSync(path.join(BOARDS, board, 'expected.prom'), 'utf8'));
    for (const [series, value] of expected) {
      assert.ok(served.has(series), `node_exporter does not serve ${series}`);
      if (!series.startsWith('pi_textfile_collector_duration_seconds')) assert.equal(served.get(series), value, series);
    }
    assert.ok([...served.keys()].some((s) => s.startsWith('node_textfile_mtime_seconds{file=')), 'mtime series for our file');
  });
}

test('node_exporter accepts hostile board strings (quotes, backslashes, newlines, braces, UTF-8)', { skip: exporter.skip }, async () => {
  const fixture = tempDir('pi-textfile-hostile-');
  fs.cpSync(path.join(BOARDS, 'pi4b'), fixture, { recursive: true, dereference: false });
  const hostile = 'Raspberry Pi 4 "Model" B \\ Rev 1.1\n} x{a="b"} 1\n# TYPE évil gauge\u2028end\0';
  fs.writeFileSync(path.join(fixture, 'proc', 'device-tree', 'model'), hostile);
  const args = boardArgs('pi4b').map((a) => a.replace(path.join(BOARDS, 'pi4b', 'proc'), path.join(fixture, 'proc')));
  for (const f of fs.readdirSync(textfileDir)) fs.rmSync(path.join(textfileDir, f));
  const out = runBundle(['collect', '--once', '--textfile.directory', textfileDir, ...args], { bundle: loneBundle });
  assert.equal(out.code, 0, out.stderr);
  const body = (await httpGet(`http://127.0.0.1:${port}/metrics`)).body;
  const served = parseSeries(body);
  assert.equal(served.get('node_textfile_scrape_error{}'), 0);
  const info = [...served.keys()].find((k) => k.startsWith('rpi_board_info{'));
  assert.ok(info?.includes('model="Raspberry Pi 4 \\"Model\\" B \\\\ Rev 1.1\\n} x{a=\\"b\\"} 1\\n# TYPE évil gauge\u2028end"'), info);
});
