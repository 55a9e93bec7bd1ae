// Behaviour that once broke silently: each test here fails if its rule is mutated away.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { boardArgs, BOARDS, copyProgram, parseSeries, runBundle, runMain, tempDir } from './helpers';

const FAKE_VCGENCMD = path.join(BOARDS, '..', 'fake-vcgencmd.sh');

/**
 * A board assembled in a temporary directory from fixture files: `proc` and `sys` copied from a
 * fixture board, and a vcgencmd folder holding the named answers copied from fixture boards.
 * A counting wrapper logs every call to `calls.log`.
 */
function assembleBoard(opts: { proc: string; sys?: string; answers: Record<string, string> }): { dir: string; args: string[]; calls(): string[] } {
  const dir = tempDir('pi-textfile-board-');
  fs.cpSync(path.join(BOARDS, opts.proc, 'proc'), path.join(dir, 'proc'), { recursive: true });
  fs.cpSync(path.join(BOARDS, opts.sys ?? opts.proc, 'sys'), path.join(dir, 'sys'), { recursive: true });
  const vc = path.join(dir, 'vcgencmd');
  fs.mkdirSync(vc);
  fs.symlinkSync(FAKE_VCGENCMD, path.join(vc, 'answer'));
  for (const [key, from] of Object.entries(opts.answers)) fs.copyFileSync(path.join(BOARDS, from, 'vcgencmd', `${key}.txt`), path.join(vc, `${key}.txt`));
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(path.join(vc, 'vcgencmd'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${path.join(vc, 'answer')}' "$@"\n`, { mode: 0o755 });
  return {
    dir,
    args: ['--path.procfs', path.join(dir, 'proc'), '--path.sysfs', path.join(dir, 'sys'), '--vcgencmd', path.join(vc, 'vcgencmd')],
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '') : []),
  };
}

function success(exposition: string, collector: string): number | undefined {
  return parseSeries(exposition).get(`pi_textfile_collector_success{collector="${collector}"}`);
}

test('a board without an under-voltage detector (Zero W) reports no under_voltage series; one with a detector does', async () => {
  // Real get_throttled output (0x50000: under-voltage and throttling have occurred) on a Zero W's identity.
  for (const [proc, expectUnderVoltage] of [['zerow', false], ['pi3b', true]] as const) {
    const board = assembleBoard({ proc, sys: 'not-a-pi', answers: { get_throttled: 'pi3b' } });
    const out = await runMain(['collect', '--stdout', ...board.args, '--collector.disable-defaults', '--collector.throttled']);
    assert.equal(out.code, 0, out.stderr);
    const series = parseSeries(out.stdout);
    for (const kind of ['active', 'occurred']) {
      assert.equal(series.has(`rpi_throttle_condition_${kind}{condition="under_voltage"}`), expectUnderVoltage, `${proc} ${kind}`);
      assert.equal(series.get(`rpi_throttle_condition_${kind}{condition="throttled"}`), kind === 'occurred' ? 1 : 0, `${proc} ${kind}`);
    }
    assert.equal(success(out.stdout, 'throttled'), 1);
  }
});

test('a sysfs file that cannot be read (a directory where a file belongs) fails its collector instead of reading as absent', async () => {
  const board = assembleBoard({ proc: 'pi5', answers: { get_throttled: 'pi5' } });
  const temp = path.join(board.dir, 'sys', 'class', 'thermal', 'thermal_zone0', 'temp');
  fs.rmSync(temp);
  fs.mkdirSync(temp);
  const out = await runMain(['collect', '--stdout', ...board.args, '--collector.disable-defaults', '--collector.temperature']);
  assert.equal(out.code, 0);
  assert.equal(success(out.stdout, 'temperature'), 0);
  assert.doesNotMatch(out.stdout, /^rpi_soc_temperature_celsius/m);
  assert.match(out.stderr, /collector temperature failed: cannot read .*thermal_zone0\/temp: is a directory/);
});

test('a procfs file the user may not read (EACCES) fails the collectors that need it', { skip: process.getuid?.() !== 0 && 'needs root to run the bundle as nobody' }, () => {
  const board = assembleBoard({ proc: 'pi4b', sys: 'not-a-pi', answers: {} });
  fs.chmodSync(path.join(board.dir, 'proc', 'cpuinfo'), 0o600);
  for (const d of [board.dir, path.join(board.dir, 'proc'), path.join(board.dir, 'sys'), path.join(board.dir, 'vcgencmd')]) fs.chmodSync(d, 0o755);
  const bundleDir = tempDir('pi-textfile-bundle-');
  fs.chmodSync(bundleDir, 0o755);
  const out = runBundle(['collect', '--stdout', ...board.args, '--collector.disable-defaults', '--collector.board'], { uid: 65534, gid: 65534, bundle: copyProgram(bundleDir), cwd: '/' });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(success(out.stdout, 'board'), 0, out.stdout);
  assert.match(out.stderr, /collector board failed: cannot read .*proc\/cpuinfo: permission denied/);
});

test('boot cache entries that are not strings are not trusted: the answer is read again', async () => {
  const board = assembleBoard({ proc: 'pi4b', sys: 'not-a-pi', answers: { version: 'pi4b', bootloader_version: 'pi4b', get_throttled: 'pi4b' } });
  fs.mkdirSync(path.join(board.dir, 'proc', 'sys', 'kernel', 'random'), { recursive: true });
  fs.writeFileSync(path.join(board.dir, 'proc', 'sys', 'kernel', 'random', 'boot_id'), 'b1\n');
  const out = tempDir('pi-textfile-out-');
  const cache = path.join(out, '.pi-textfile.prom.boot-cache.json');
  fs.writeFileSync(cache, JSON.stringify({ bootId: 'b1', entries: { version: 42, bootloader_version: { text: 'x' }, 'bootloader_version ': ['x'] } }));
  const flags = ['collect', '--once', '--textfile.directory', out, ...board.args, '--collector.disable-defaults', '--collector.throttled', '--collector.firmware', '--collector.bootloader'];
  const r = await runMain(flags);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(board.calls().sort(), ['bootloader_version', 'get_throttled', 'version']);
  const text = fs.readFileSync(path.join(out, 'pi-textfile.prom'), 'utf8');
  assert.match(text, /^rpi_firmware_info\{version="/m);
  assert.equal(typeof JSON.parse(fs.readFileSync(cache, 'utf8')).entries.version, 'string');
});

test('a Pi 5 whose cpuinfo has no Revision line is recognised from its model string (PMIC and bootloader read)', async () => {
  const board = assembleBoard({ proc: 'pi5', answers: { pmic_read_adc: 'pi5', bootloader_version: 'pi5' } });
  fs.rmSync(path.join(board.dir, 'proc', 'device-tree', 'chosen'), { recursive: true }); // the bootloader from vcgencmd, as on older firmware
  const cpuinfo = path.join(board.dir, 'proc', 'cpuinfo');
  fs.writeFileSync(cpuinfo, fs.readFileSync(cpuinfo, 'utf8').split('\n').filter((l) => !l.startsWith('Revision')).join('\n'));
  const out = await runMain(['collect', '--stdout', ...board.args, '--collector.disable-defaults', '--collector.pmic', '--collector.bootloader']);
  assert.equal(out.code, 0, out.stderr);
  const series = parseSeries(out.stdout);
  assert.equal(series.get('rpi_pmic_voltage_volts{rail="EXT5V"}'), 5.09066);
  assert.ok([...series.keys()].some((k) => k.startsWith('rpi_bootloader_info{')));
  assert.deepEqual(board.calls().sort(), ['bootloader_version', 'pmic_read_adc']);
});

test('a clock named twice is measured and reported once', async () => {
  const out = await runMain(['collect', '--stdout', ...boardArgs('pi4b'), '--collector.clock.clocks', 'arm,arm,core,arm']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.match(/^rpi_clock_frequency_hertz\{clock="arm"\}/gm)?.length, 1);
  assert.equal(out.stdout.match(/^rpi_clock_frequency_hertz\{/gm)?.length, 2);
});

test('gen-config refuses basic_auth together with bearer_token_file, and node_name as a node label', async () => {
  const dir = tempDir('pi-textfile-cluster-');
  const cases: Array<[string, RegExp]> = [
    [
      'cluster: c\nnodes: [pi1.local]\nremote_write:\n  - url: https://m.example.com/api/v1/write\n    basic_auth: {username: pi, password_file: /etc/p}\n    bearer_token_file: /etc/t\n',
      /:4:5: \/remote_write\/0: has both basic_auth and bearer_token_file/,
    ],
    ['cluster: c\nnodes:\n  - address: pi1.local\n    labels: {node_name: x}\n', /:4:14: \/nodes\/0\/labels\/node_name: label "node_name" is set by pi-textfile/],
  ];
  for (const [text, pattern] of cases) {
    const file = path.join(dir, 'cluster.yml');
    fs.writeFileSync(file, text);
    const out = await runMain(['gen-config', '--check', '--config', file]);
    assert.equal(out.code, 1, text);
    assert.match(out.stderr, pattern);
  }
});
