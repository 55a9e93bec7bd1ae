// The collector framework, the host's bounded reads, the vcgencmd runner's classification, and the
// long-running mode, each against the rule it keeps.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { collectOptionsFrom, parseCollectArgv } from '../src/cli/collect';
import { collectOnce, defaultCollectDeps, GC_EVERY, runCollect, type CollectDeps } from '../src/commands/collect';
import { parseDuration } from '../src/lib/duration';
import { parseBootCache } from '../src/framework/boot-cache';
import { identifyBoard } from '../src/framework/board';
import { checkMetricUnit, defineCollector, runCollectors, type Enabled, type MetricSpec } from '../src/framework/collector';
import { renderExposition } from '../src/framework/exposition';
import { mountFiles, MAX_FILE_BYTES } from '../src/framework/host';
import { childEnv, classifyResult, VcgencmdError } from '../src/framework/vcgencmd';
import { parseNodeExporterDefaults } from '../src/node-exporter/defaults';
import { boardArgs, BOARDS, BUNDLE, procWithBootId, table, tempDir, waitFor } from './helpers';

const PI = identifyBoard({}, 'Raspberry Pi 4 Model B Rev 1.1');
const files = mountFiles('/nonexistent');
const ctx = { board: PI, proc: files, sys: files, vcgencmd: () => Promise.reject(new Error('not in this test')) };

test('a collector that fails keeps none of the samples it emitted before failing; the others are unaffected', async () => {
  const failing = defineCollector({
    name: 'failing',
    description: 'emits, then fails',
    metrics: [{ name: 'rpi_test_volts', help: 'test', unit: 'volts', labels: ['rail'] }],
    collect(_ctx, emit) {
      emit('rpi_test_volts', { rail: 'a' }, 1);
      throw new VcgencmdError('exit', 'vcgencmd measure_volts b exited with status 1');
    },
  });
  const fine = defineCollector({
    name: 'fine',
    description: 'emits',
    metrics: [{ name: 'rpi_other_volts', help: 'test', unit: 'volts', labels: [] }],
    collect: (_ctx, emit) => emit('rpi_other_volts', {}, 2),
  });
  const enabled: Enabled[] = [failing, fine].map((collector) => ({ collector, options: {} }));
  const { families, results } = await runCollectors(enabled, ctx, () => 0);
  const text = renderExposition(families);
  assert.doesNotMatch(text, /rpi_test_volts/);
  assert.match(text, /^rpi_other_volts 2$/m);
  assert.deepEqual(results.map((r) => [r.name, r.success]), [['failing', false], ['fine', true]]);
});

test('a collector whose hardware reports the same series twice fails alone; the file is still rendered', async () => {
  // A duplicate rail line in pmic_read_adc, as a firmware could print it.
  const dup = defineCollector({
    name: 'dup',
    description: 'duplicate rail',
    metrics: [{ name: 'rpi_dup_volts', help: 'test', unit: 'volts', labels: ['rail'] }],
    collect(_ctx, emit) {
      emit('rpi_dup_volts', { rail: 'EXT5V' }, 5.09066);
      emit('rpi_dup_volts', { rail: 'EXT5V' }, 5.09066);
    },
  });
  const { families, results } = await runCollectors([{ collector: dup, options: {} }], ctx, () => 0);
  assert.equal(results[0]!.success, false);
  assert.match(results[0]!.error!, /reported rpi_dup_volts\{rail="EXT5V"\} twice/);
  assert.match(renderExposition(families), /^pi_textfile_collector_success\{collector="dup"\} 0$/m);
});

test('a collector runs only on a Pi, and only where its gate says the hardware exists', async () => {
  let runs = 0;
  const gated = defineCollector({
    name: 'gated',
    description: 'Pi 5 only',
    appliesTo: (board) => board.processor === 'BCM2712',
    metrics: [],
    collect: () => {
      runs++;
    },
  });
  for (const board of [identifyBoard({}, null), PI]) {
    const { results } = await runCollectors([{ collector: gated, options: {} }], { ...ctx, board }, () => 0);
    assert.equal(results[0]!.success, true);
  }
  assert.equal(runs, 0);
  await runCollectors([{ collector: gated, options: {} }], { ...ctx, board: identifyBoard({}, 'Raspberry Pi 5 Model B Rev 1.0') }, () => 0);
  assert.equal(runs, 1);
});

table('metric names carry their unit', [
  { source: 'celsius', spec: { name: 'rpi_soc_temperature_celsius', unit: 'celsius' }, ok: true },
  { source: 'info', spec: { name: 'rpi_board_info', unit: 'info' }, ok: true },
  { source: 'boolean without a unit word', spec: { name: 'rpi_throttle_condition_active', unit: 'boolean' }, ok: true },
  { source: 'seconds timestamp', spec: { name: 'rpi_bootloader_build_timestamp_seconds', unit: 'seconds' }, ok: true },
  { source: 'volts named in millivolts', spec: { name: 'rpi_core_millivolts', unit: 'volts' }, ok: false },
  { source: 'a boolean that claims a unit', spec: { name: 'rpi_fan_seconds', unit: 'boolean' }, ok: false },
  { source: 'a number ending in _total', spec: { name: 'rpi_resets_total', unit: 'number' }, ok: false },
  { source: 'bytes without the suffix', spec: { name: 'rpi_gpu_memory', unit: 'bytes' }, ok: false },
], (row) => {
  const spec = { ...row.spec, help: 'h', labels: [] } as MetricSpec;
  if (row.ok) checkMetricUnit(spec);
  else assert.throws(() => checkMetricUnit(spec));
});

test('reads are bounded and never block: FIFO, device, huge file, binary data each fail with one clear line', () => {
  const dir = tempDir('pi-textfile-host-');
  spawnSync('mkfifo', [path.join(dir, 'fifo')]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero'));
  fs.writeFileSync(path.join(dir, 'huge'), Buffer.alloc(MAX_FILE_BYTES + 1, 0x31));
  fs.writeFileSync(path.join(dir, 'binary'), Buffer.from([0x34, 0x36, 0x00, 0x33]));
  fs.writeFileSync(path.join(dir, 'ok'), '46300\n');
  const host = mountFiles(dir);
  const cases: Array<[string, RegExp]> = [
    ['fifo', /fifo: is a FIFO, not a sysfs\/procfs file$/],
    ['zero', /zero: is a device, not a sysfs\/procfs file$/],
    ['huge', /huge: is larger than 256 KiB/],
    ['binary', /binary: holds binary data where text was expected$/],
  ];
  for (const [name, message] of cases) assert.throws(() => host.text(name), (e: Error) => e.name === 'HostReadError' && message.test(e.message), name);
  assert.equal(host.text('ok'), '46300\n');
  assert.equal(host.text('missing'), null);
  assert.deepEqual([...host.bytes('binary')!], [0x34, 0x36, 0x00, 0x33]);
});

test('--path.procfs or --path.sysfs that is not one: exit 2 with one line; a typo no longer looks like a healthy non-Pi', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--path.procfs', '/prco'], /^pi-textfile: --path.procfs \/prco is not a procfs mount point \(it does not exist\)/],
    [['--path.sysfs', '/proc'], /^pi-textfile: --path.sysfs \/proc is not a sysfs mount point \(it has no class\)/],
    [['--path.procfs', '/sys'], /^pi-textfile: --path.procfs \/sys is not a procfs mount point \(it has no cpuinfo\)/],
  ];
  for (const [flags, message] of cases) {
    const r = spawnSync(process.execPath, [BUNDLE, 'collect', '--stdout', ...flags], { encoding: 'utf8' });
    assert.equal(r.status, 2, flags.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
});

/** collect's raw flags for the long-running mode on the not-a-pi fixture (no vcgencmd is started there). */
function notAPiLoop(): Record<string, unknown> {
  return { 'textfile.name': 'pi-textfile.prom', 'vcgencmd.timeout': '5s', interval: '30s', 'path.procfs': path.join(BOARDS, 'not-a-pi', 'proc'), 'path.sysfs': path.join(BOARDS, 'not-a-pi', 'sys'), 'path.rootfs': '/' };
}

test('long-running mode: one run per interval on an injected clock, a failed write retried at the next tick, stops when asked', async () => {
  const dir = path.join(tempDir('pi-textfile-loop-'), 'textfile');
  const controller = new AbortController();
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const errors: string[] = [];
  const writes: number[] = [];
  const deps: CollectDeps = {
    now: () => 0,
    wallMs: () => clock,
    textfileDirectory: () => dir,
    signal: controller.signal,
    async sleep(ms) {
      sleeps.push(ms);
      clock += ms;
      if (sleeps.length === 1) fs.mkdirSync(dir); // the directory appears after the first, failed, run
      if (fs.existsSync(path.join(dir, 'pi-textfile.prom'))) writes.push(fs.statSync(path.join(dir, 'pi-textfile.prom')).mtimeMs);
      if (sleeps.length === 4) controller.abort();
    },
  };
  const raw = notAPiLoop();
  const io = { stdout: () => undefined, stderr: (s: string) => errors.push(s) };
  const code = await runCollect(collectOptionsFrom(raw), io, deps);
  assert.equal(code, 0);
  assert.deepEqual(sleeps, [30_000, 30_000, 30_000, 30_000], 'each run starts one interval after the previous one started');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /output directory .* does not exist/);
  assert.equal(writes.length, 3, 'written at every tick once the directory exists');
});

test(`long-running mode: a full garbage collection every ${GC_EVERY} collections, where Node offers one`, async () => {
  const dir = tempDir('pi-textfile-loop-');
  const controller = new AbortController();
  let clock = 0;
  let collections = 0;
  const gcAt: number[] = [];
  const deps: CollectDeps = {
    now: () => 0,
    wallMs: () => clock,
    textfileDirectory: () => dir,
    signal: controller.signal,
    collectGarbage: () => gcAt.push(collections),
    async sleep(ms) {
      clock += ms;
      if (++collections === 2 * GC_EVERY + 5) controller.abort();
    },
  };
  const raw = notAPiLoop();
  assert.equal(await runCollect(collectOptionsFrom(raw), { stdout: () => undefined, stderr: () => undefined }, deps), 0);
  assert.deepEqual(gcAt, [GC_EVERY - 1, 2 * GC_EVERY - 1], 'after the 30th and the 60th collection, before their pauses');
  // Without --expose-gc the default asks nothing of Node and does not throw.
  assert.doesNotThrow(() => defaultCollectDeps().collectGarbage!());
});

/**
 * Starts collect with a vcgencmd that runs `script` (its marker command findable by pgrep), waits
 * until that runs. `calls()` counts the vcgencmd calls started so far (each logs one line first).
 */
async function collectWithVcgencmd(mode: readonly string[], script: (marker: string) => string, marker: string, timeout: string, detached = false) {
  const dir = tempDir('pi-textfile-sigterm-');
  const vcDir = tempDir('pi-textfile-vc-');
  const vc = path.join(vcDir, 'vcgencmd');
  const log = path.join(vcDir, 'calls');
  fs.writeFileSync(vc, `#!/bin/sh\necho "$*" >> ${log}\n${script(marker)}`, { mode: 0o755 });
  const argv = boardArgs('pi4b');
  argv[argv.indexOf('--vcgencmd') + 1] = vc;
  const child = spawn(process.execPath, [BUNDLE, 'collect', ...mode, '--textfile.directory', dir, '--vcgencmd.timeout', timeout, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], detached });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await waitFor(async () => (spawnSync('pgrep', ['-f', marker]).status === 0 ? true : undefined), 10_000, 'vcgencmd to start');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const calls = (): number => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').length : 0);
  return { child, exited, dir, calls, stderr: (): string => stderr };
}

/**
 * What "at once" means below: far less than the 60 s a hung vcgencmd sleeps, however loaded the
 * machine is. Whether collect stopped calling vcgencmd is counted, not timed.
 */
const LONG_BEFORE_THE_HUNG_CALL_ENDS = 30_000;

const STOPPED = 'pi-textfile: collect: stopped by SIGTERM; nothing written, the last file is intact\n';

let markers = 0;
const markerFor = (seconds: number): string => `sleep ${seconds}.${process.pid}${Date.now() % 100000}${++markers}`;

test('SIGTERM to collect alone is handled when its vcgencmd call returns or times out: exit 143 (--once) or 0, nothing written, no child left', async () => {
  // Spawns are synchronous: a vcgencmd that hangs (killed at --vcgencmd.timeout 2s), and one that answers after a second.
  const cases = [
    { name: 'hung', seconds: 60, script: (m: string) => `exec ${m}\n`, timeout: '2s' },
    { name: 'slow', seconds: 1, script: (m: string) => `${m}\necho throttled=0x0\n`, timeout: '60s' },
  ];
  for (const mode of [['--once'], ['--interval', '1s']]) {
    for (const c of cases) {
      const marker = markerFor(c.seconds);
      const { child, exited, dir, calls, stderr } = await collectWithVcgencmd(mode, c.script, marker, c.timeout);
      const started = Date.now();
      const callsAtSignal = calls();
      child.kill('SIGTERM');
      child.kill('SIGTERM'); // a second one, as an impatient operator sends, must not orphan them
      const what = `${mode.join(' ')}, ${c.name}`;
      assert.equal(await exited, mode[0] === '--once' ? 143 : 0, what);
      assert.equal(calls(), callsAtSignal, `${what}: no vcgencmd call starts after the signal`);
      assert.ok(Date.now() - started < LONG_BEFORE_THE_HUNG_CALL_ENDS, `${what}: ${Date.now() - started} ms`);
      await waitFor(async () => (spawnSync('pgrep', ['-f', marker]).status !== 0 ? true : undefined), 3000, 'no vcgencmd left');
      assert.deepEqual(fs.readdirSync(dir), [], `${what}: a stopped run writes nothing`);
      // One line for the non-zero exit of a single run; the long-running mode just stops.
      assert.equal(stderr(), mode[0] === '--once' ? STOPPED : '', what);
    }
  }
});

test('SIGTERM to collect\'s process group, as systemd and a terminal send it, ends a hung vcgencmd and collect at once', async () => {
  for (const [mode, expected] of [[['--once'], 143], [['--interval', '1s'], 0]] as const) {
    const marker = markerFor(60);
    const { child, exited, dir, calls, stderr } = await collectWithVcgencmd(mode, (m) => `exec ${m}\n`, marker, '60s', true);
    const started = Date.now();
    const callsAtSignal = calls();
    process.kill(-child.pid!, 'SIGTERM');
    assert.equal(await exited, expected, mode.join(' '));
    assert.equal(calls(), callsAtSignal, 'no vcgencmd call starts after the signal');
    assert.ok(Date.now() - started < LONG_BEFORE_THE_HUNG_CALL_ENDS, `${Date.now() - started} ms: not the 60 s timeout`);
    await waitFor(async () => (spawnSync('pgrep', ['-f', marker]).status !== 0 ? true : undefined), 3000, 'no vcgencmd left');
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(stderr(), expected === 143 ? STOPPED : '', mode.join(' '));
  }
});

test('killing collect\'s whole process group (as timeout and systemd do) leaves no vcgencmd behind', async () => {
  const marker = `sleep 60.${process.pid}${Date.now() % 100000}2`;
  const hang = path.join(tempDir('pi-textfile-vc-'), 'vcgencmd');
  fs.writeFileSync(hang, `#!/bin/sh\nexec ${marker}\n`, { mode: 0o755 });
  const args = boardArgs('pi4b');
  args[args.indexOf('--vcgencmd') + 1] = hang;
  const child = spawn(process.execPath, [BUNDLE, 'collect', '--once', '--textfile.directory', tempDir(), '--vcgencmd.timeout', '60s', ...args, '--collector.clock.clocks=all'], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await waitFor(async () => (spawnSync('pgrep', ['-f', marker]).status === 0 ? true : undefined), 10_000, 'vcgencmd to start');
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
  await exited;
  await waitFor(async () => (spawnSync('pgrep', ['-f', marker]).status !== 0 ? true : undefined), 3000, 'no orphaned vcgencmd');
});

table('classifyResult', [
  { source: 'pi4b/vcgencmd.ERROR-cant-open-dev-vcio (stdout, with the mknod hint)', out: "Can't open device file: /dev/vcio\nTry creating a device file with: sudo mknod /dev/vcio c 100 0\n", err: '', status: 255, kind: 'permission' },
  { source: "Can't open device file on stderr", out: '', err: "Can't open device file: /dev/vcio\n", status: 255, kind: 'permission' },
  { source: 'legacy userland vcgencmd (SEMANTICS 4.2)', out: 'VCHI initialization failed\n', err: '', status: 255, kind: 'permission' },
  { source: 'pi5/vcgencmd_mem_reloc_stats.ERROR-command-not-registered', out: 'vc_gencmd_read_response returned -1\nerror=1 error_msg="Command not registered"\n', err: '', status: 255, kind: 'firmware' },
  { source: 'an unexplained exit status', out: '', err: 'something odd\n', status: 3, kind: 'exit' },
], (row) => {
  assert.throws(() => classifyResult(['get_throttled'], row.status, row.out, row.err), (e: unknown) => e instanceof VcgencmdError && e.kind === row.kind);
});

test('vcgencmd runs in the C locale with PATH (and LD_LIBRARY_PATH when set), and nothing else of the environment', () => {
  const env = childEnv();
  assert.equal(env.LC_ALL, 'C');
  assert.equal(env.PATH, process.env.PATH);
  assert.deepEqual(Object.keys(env).sort(), ['LC_ALL', 'PATH', ...(process.env.LD_LIBRARY_PATH === undefined ? [] : ['LD_LIBRARY_PATH'])].sort());
  assert.equal(env.HOME, undefined);
});

test('classifyResult passes a good answer through', () => {
  assert.equal(classifyResult(['get_throttled'], 0, 'throttled=0x0\n', ''), 'throttled=0x0\n');
});

table('parseNodeExporterDefaults', [
  { source: 'empty ARGS', text: '# comment\nARGS=""\n', dir: null },
  { source: 'equals form', text: 'ARGS="--collector.textfile.directory=/run/pi-textfile --no-collector.systemd"\n', dir: '/run/pi-textfile' },
  { source: 'single quotes, space form', text: "ARGS='--collector.textfile.directory /srv/tf'\n", dir: '/srv/tf' },
  { source: 'other flags only', text: 'ARGS="--web.listen-address=:9100"\n', dir: null },
  { source: 'commented out', text: '# ARGS="--collector.textfile.directory=/x"\n', dir: null },
  { source: 'the last ARGS wins', text: 'ARGS="--collector.textfile.directory=/a"\nARGS="--collector.textfile.directory=/b"\n', dir: '/b' },
], (row) => assert.equal(parseNodeExporterDefaults(row.text), row.dir));

table('parseDuration', [
  ...([['5s', 5000], ['500ms', 500], ['1m30s', 90000], ['2d', 172800000], ['1w', 604800000], ['0', 0], ['1h1m1s1ms', 3661001], ['1y2w3d4h5m6s7ms', 33019506007], ['05s', 5000]] as const).map(([t, ms]) => ({ source: t, text: t, ms })),
  ...['', '1.5m', '30', '30m1h', '5 s', '-5s', 's', '5S', '1ms1s', '1m1m', '1m5', '5s ', '99999999999y'].map((t) => ({ source: `rejects ${JSON.stringify(t)}`, text: t, ms: null })),
], (row) => assert.equal(parseDuration(row.text), row.ms));

table('parseBootCache keeps only string answers of this boot', [
  { source: 'numbers, objects and arrays dropped', text: JSON.stringify({ bootId: 'b1', entries: { version: 42, 'get_mem gpu': 'gpu=256M\n', bootloader_version: { t: 'x' }, x: ['y'] } }), bootId: 'b1', entries: { 'get_mem gpu': 'gpu=256M\n' } },
  { source: 'another boot', text: JSON.stringify({ bootId: 'b0', entries: { version: 'v' } }), bootId: 'b1', entries: null },
  { source: 'entries not an object', text: JSON.stringify({ bootId: 'b1', entries: 'v' }), bootId: 'b1', entries: null },
  { source: 'not JSON', text: '{"bootId": "b1", ', bootId: 'b1', entries: null },
], (row) => assert.deepEqual(parseBootCache(row.text, row.bootId), row.entries));

test('collect\'s fast flag parser and its --help (commander) know the same flags, with the same defaults and results', async () => {
  const { Command } = await import('commander');
  const { registerCollect } = await import('../src/cli/collect-help');
  const { parseCollectArgv } = await import('../src/cli/collect');
  const parse = async (argv: string[]): Promise<Record<string, unknown>> => {
    let seen: Record<string, unknown> = {};
    const program = new Command('pi-textfile').exitOverride();
    registerCollect(program, { stdout: () => undefined, stderr: () => undefined }, {}, () => undefined);
    const collect = program.commands[0]!;
    collect.action((raw: Record<string, unknown>) => {
      seen = { ...raw };
    });
    await program.parseAsync(['collect', ...argv], { from: 'user' });
    return seen;
  };
  const declaring = new Command('pi-textfile');
  registerCollect(declaring, { stdout: () => undefined, stderr: () => undefined }, {}, () => undefined);
  const declared = declaring.commands[0]!.options.map((o) => ({ long: o.long!, takesValue: o.required || o.optional }));
  for (const o of declared) assert.doesNotThrow(() => parseCollectArgv(o.takesValue ? [o.long, 'x'] : [o.long]), o.long);
  for (const argv of [[], ['--once', '--interval', '1m', '--no-collector.pmic', '--collector.pmic', '--no-collector.clock'], ['--stdout', '--collector.disable-defaults', '--collector.mmc', '--collector.clock.clocks=all', '--textfile.name', 'x.prom']]) {
    assert.deepEqual(parseCollectArgv(argv), await parse(argv), argv.join(' '));
  }
});

table('collect\'s flag parser: what it takes, and one line for what it refuses', [
  { source: 'a value after its flag', argv: ['--interval', '1m'], seen: { interval: '1m' } },
  { source: 'a value after =', argv: ['--interval=1m'], seen: { interval: '1m' } },
  { source: 'a value that starts with a dash, as commander takes it', argv: ['--textfile.name', '-x.prom'], seen: { 'textfile.name': '-x.prom' } },
  { source: 'an empty value after =', argv: ['--textfile.directory='], seen: { 'textfile.directory': '' } },
  { source: 'the last of --collector.X and --no-collector.X wins', argv: ['--collector.pmic', '--no-collector.pmic'], seen: { 'collector.pmic': false } },
  { source: '--collector.disable-defaults', argv: ['--collector.disable-defaults'], seen: { 'collector.disableDefaults': true } },
  { source: 'nothing after --', argv: ['--once', '--'], seen: { once: true } },
  { source: 'an unknown flag', argv: ['--bogus'], refused: "unknown option '--bogus'" },
  { source: 'an unknown flag with a value', argv: ['--bogus=1'], refused: "unknown option '--bogus'" },
  { source: 'a name only Object.prototype has', argv: ['--constructor'], refused: "unknown option '--constructor'" },
  { source: 'a short flag', argv: ['-x'], refused: "unknown option '-x'" },
  { source: 'a flag with one dash', argv: ['-once'], refused: "unknown option '-once'" },
  { source: 'an argument that is no flag', argv: ['once'], refused: "unexpected argument 'once'" },
  { source: 'a lone dash', argv: ['-'], refused: "unexpected argument '-'" },
  { source: 'an argument after --', argv: ['--', '--once'], refused: "unexpected argument '--once'" },
  { source: 'a value given to a switch', argv: ['--once=yes'], refused: "option '--once' does not take an argument" },
  { source: 'a value missing at the end', argv: ['--once', '--textfile.directory'], refused: "option '--textfile.directory' argument missing" },
], (row) => {
  if (row.refused !== undefined) {
    assert.throws(() => parseCollectArgv(row.argv), (err: Error & { exitCode?: number }) => err.message === `${row.refused} (see pi-textfile collect --help)` && err.exitCode === 1);
    return;
  }
  const raw = parseCollectArgv(row.argv);
  for (const [k, v] of Object.entries(row.seen!)) assert.deepEqual(raw[k], v, k);
});

test('with the default collectors, a steady-state Pi 4 run starts 3 vcgencmd, and the first run after a boot 9', async () => {
  const proc = procWithBootId('pi4b');
  const args = boardArgs('pi4b');
  // Every default collector that applies to a Pi 4, the fixture's own switches aside (its capture of
  // get_mem gpu is missing; temperature comes from sysfs on a real Pi 4 and starts nothing).
  const raw = { 'textfile.name': 'pi-textfile.prom', 'vcgencmd.timeout': '5s', interval: '30s', 'collector.clock.clocks': 'arm', 'path.procfs': proc, 'path.sysfs': path.join(BOARDS, 'pi4b', 'sys'), 'path.rootfs': '/', vcgencmd: args[args.indexOf('--vcgencmd') + 1] };
  const all = collectOptionsFrom(raw);
  const opts = { ...all, collectors: all.collectors.filter((e) => !['gpu_memory', 'temperature'].includes(e.collector.name)) };
  const cacheFile = path.join(tempDir(), 'cache.json');
  const deps = { ...defaultCollectDeps(), now: () => 0 };
  const first = await collectOnce(opts, deps, cacheFile);
  assert.equal(first.spawned, 9); // get_throttled, measure_clock arm, 4 measure_volts, version, bootloader_version, get_config int
  fs.writeFileSync(cacheFile, first.cache!);
  const second = await collectOnce(opts, deps, cacheFile);
  assert.equal(second.spawned, 3); // get_throttled, measure_clock arm, measure_volts core
});

test('the device tree is read once per boot: the model and what the bootloader wrote hold until the boot id changes', async () => {
  const proc = procWithBootId('pi5', 'b1');
  const args = boardArgs('pi5');
  const raw = { 'textfile.name': 'pi-textfile.prom', 'vcgencmd.timeout': '5s', interval: '30s', 'path.procfs': proc, 'path.sysfs': path.join(BOARDS, 'pi5', 'sys'), 'path.rootfs': '/', vcgencmd: args[args.indexOf('--vcgencmd') + 1] };
  const all = collectOptionsFrom({ ...raw, 'collector.disableDefaults': true, 'collector.board': true, 'collector.boot': true, 'collector.bootloader': true });
  const cacheFile = path.join(tempDir(), 'cache.json');
  const deps = { ...defaultCollectDeps(), now: () => 0 };
  const first = await collectOnce(all, deps, cacheFile);
  assert.match(first.exposition, /^rpi_boot_partition 2$/m);
  assert.match(first.exposition, /^rpi_bootloader_info\{version="[0-9a-f]+"/m);
  assert.match(first.exposition, /^rpi_board_info\{.*model="Raspberry Pi 5 Model B Rev 1\.0"/m);
  assert.equal(first.spawned, 0);
  fs.writeFileSync(cacheFile, first.cache!);
  // A property the firmware did not write is kept as absent, and read again on no run either.
  assert.equal(JSON.parse(first.cache!).entries['device-tree/chosen/bootloader/update-timestamp'], '-');
  // Gone from the device tree: this boot's runs answer as before, from the cache alone.
  fs.rmSync(path.join(proc, 'device-tree'), { recursive: true });
  const second = await collectOnce(all, deps, cacheFile);
  assert.equal(second.exposition, first.exposition);
  assert.equal(second.cache, null);
  // Another boot reads the device tree again, finds none, and asks vcgencmd for the bootloader.
  fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'b2\n');
  const third = await collectOnce(all, deps, cacheFile);
  assert.doesNotMatch(third.exposition, /^rpi_boot_partition /m);
  assert.equal(third.spawned, 1);
});

test('the long-running mode started in a terminal says once where it writes, how often, and how to stop', async () => {
  const dir = tempDir('pi-textfile-tty-');
  const controller = new AbortController();
  const errors: string[] = [];
  const deps: CollectDeps = {
    now: () => 0,
    wallMs: () => 0,
    textfileDirectory: () => dir,
    signal: controller.signal,
    terminal: () => true,
    sleep: async () => controller.abort(),
  };
  const raw = notAPiLoop();
  assert.equal(await runCollect(collectOptionsFrom(raw), { stdout: () => undefined, stderr: (s) => errors.push(s) }, deps), 0);
  assert.deepEqual(errors, [`pi-textfile: collecting every 30s into ${dir}/pi-textfile.prom; stop with Ctrl-C (for one run: --once; to see the metrics: --stdout)\n`]);
});
