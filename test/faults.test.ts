// Faults: each gets a clear message and loses nothing; the last good file stays whole.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { collectOnce, defaultCollectDeps, type CollectOptions } from '../src/commands/collect';
import { collectOptionsFrom } from '../src/cli/collect';
import { boardArgs, BOARDS, BUNDLE, copyProgram, procWithBootId, promtoolCheckMetrics, requireTool, ROOT, runBundle, runMain, tempDir, waitFor } from './helpers';

const ERRORS = path.join(ROOT, 'test', 'fixtures', 'errors');
const VCGENCMD_COLLECTORS = ['throttled', 'clock', 'voltage', 'firmware', 'bootloader'];
const promtool = requireTool('promtool', 'prometheus');

/** A stand-in vcgencmd that answers every call with one capture and exit status. */
function answeringVcgencmd(capture: string, status: number): string {
  const dir = tempDir('pi-textfile-vc-');
  const file = path.join(dir, 'vcgencmd');
  fs.writeFileSync(file, `#!/bin/sh\ncat '${path.join(ERRORS, capture)}'\nexit ${status}\n`, { mode: 0o755 });
  return file;
}

/** pi4b fixture flags with another vcgencmd, and only the board collector and those in VCGENCMD_COLLECTORS. */
function pi4bWith(vcgencmd: string, ...more: string[]): string[] {
  const args = boardArgs('pi4b');
  args[args.indexOf('--vcgencmd') + 1] = vcgencmd;
  return [...args, '--collector.disable-defaults', ...['board', ...VCGENCMD_COLLECTORS].map((c) => `--collector.${c}`), ...more];
}

function successes(exposition: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of exposition.matchAll(/^pi_textfile_collector_success\{collector="([a-z_]+)"\} (\d)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function assertVcgencmdCollectorsFailed(stdout: string, stderr: string, pattern: RegExp): void {
  const s = successes(stdout);
  for (const c of VCGENCMD_COLLECTORS) assert.equal(s[c], 0, `${c} should fail`);
  assert.equal(s.board, 1);
  assert.doesNotMatch(stdout, /^rpi_(throttle|clock|voltage|firmware|bootloader)/m, 'a failed collector contributes no samples');
  // One line per distinct failure, naming every collector it stopped: together, each failed one once.
  const lines = stderr.trim().split('\n');
  const named = lines.flatMap((line) => /^pi-textfile: warning: collectors? ([a-z_, ]+) failed: /.exec(line)![1]!.split(', '));
  assert.deepEqual(named.sort(), [...VCGENCMD_COLLECTORS].sort(), stderr);
  for (const line of lines) assert.match(line, pattern);
}

test('vcgencmd missing on a Pi: collectors fail with an install hint, file still written', async () => {
  const out = await runMain(['collect', '--stdout', ...pi4bWith('/nonexistent/vcgencmd')]);
  assert.equal(out.code, 0);
  assertVcgencmdCollectorsFailed(out.stdout, out.stderr, /^pi-textfile: warning: collectors [a-z_, ]+ failed: vcgencmd not found or not executable at \/nonexistent\/vcgencmd/);
  assert.equal(out.stderr.trim().split('\n').length, 1, 'one cause, said once');
});

test('vcgencmd not found anywhere: the message says what to install', async () => {
  const all = collectOptionsFrom({
    'textfile.name': 'pi-textfile.prom', 'collector.clock.clocks': 'arm', 'vcgencmd.timeout': '5s', interval: '30s',
    'path.procfs': path.join(BOARDS, 'pi4b', 'proc'), 'path.sysfs': path.join(BOARDS, 'pi4b', 'sys'), 'path.rootfs': '/', stdout: true,
  });
  const opts: CollectOptions = { ...all, collectors: all.collectors.filter((e) => e.collector.name === 'throttled') };
  const run = await collectOnce(opts, { ...defaultCollectDeps(), searchPath: tempDir() }, null);
  assert.equal(run.results[0]!.success, fs.existsSync('/usr/bin/vcgencmd') || fs.existsSync('/opt/vc/bin/vcgencmd'));
  if (!run.results[0]!.success) assert.match(run.results[0]!.error!, /install it \(Raspberry Pi OS: sudo apt install raspi-utils/);
});

test('permission denied on /dev/vcio (real error output): hint to join the video group', async () => {
  const out = await runMain(['collect', '--stdout', ...pi4bWith(answeringVcgencmd('cant-open-dev-vcio.txt', 255))]);
  assert.equal(out.code, 0);
  assertVcgencmdCollectorsFailed(out.stdout, out.stderr, /cannot reach the firmware \(Can't open device file: \/dev\/vcio\); add the user .* "video" group/);
});

test('firmware refuses a command (real error output)', async () => {
  const out = await runMain(['collect', '--stdout', ...pi4bWith(answeringVcgencmd('command-not-registered.txt', 255))]);
  assert.equal(out.code, 0);
  const s = successes(out.stdout);
  for (const c of ['throttled', 'clock', 'voltage', 'firmware']) assert.equal(s[c], 0, c);
  // A bootloader the firmware does not know is absent data, not a failure.
  assert.equal(s.bootloader, 1);
  assert.match(out.stderr, /collector throttled failed: vcgencmd get_throttled: the firmware answered error 1 "Command not registered"/);
});

test('garbage output: unexpected-output failure, no sample', async () => {
  const out = await runMain(['collect', '--stdout', ...pi4bWith(answeringVcgencmd('mem_oom.txt', 0))]);
  assert.equal(out.code, 0);
  assertVcgencmdCollectorsFailed(out.stdout, out.stderr, /unexpected output from vcgencmd [a-z_]+( [a-z_]+)?: "oom events: 0/);
  if (!promtool.skip) assert.equal(promtoolCheckMetrics(promtool.path!, out.stdout).status, 0);
});

test('hanging vcgencmd: the run ends within about one timeout, and no child is left running', async () => {
  const dir = tempDir('pi-textfile-hang-');
  const marker = `${process.pid}${Date.now() % 100000}`;
  const file = path.join(dir, 'vcgencmd');
  fs.writeFileSync(file, `#!/bin/sh\nexec sleep 30.${marker}\n`, { mode: 0o755 });
  const started = Date.now();
  const out = await runMain(['collect', '--stdout', '--vcgencmd.timeout', '1s', ...pi4bWith(file, '--collector.clock.clocks=all')]);
  const elapsed = Date.now() - started;
  assert.equal(out.code, 0);
  // 19 readings; one timeout each would take 19 s.
  assert.ok(elapsed < 6000, `took ${elapsed} ms`);
  assertVcgencmdCollectorsFailed(out.stdout, out.stderr, /did not answer within 1s|not attempted: an earlier vcgencmd call did not answer within 1s/);
  assert.match(out.stderr, /did not answer within 1s and was killed/);
  await new Promise((r) => setTimeout(r, 200));
  const left = spawnSync('pgrep', ['-f', `sleep 30.${marker}`], { encoding: 'utf8' });
  assert.equal(left.stdout.trim(), '', 'sleep processes left behind');
});

test('output directory missing: exit 2, one line saying what to do', () => {
  const out = runBundle(['collect', '--once', '--textfile.directory', '/nonexistent/pi-textfile-dir', ...boardArgs('not-a-pi')]);
  assert.equal(out.code, 2);
  assert.equal(out.stderr, 'pi-textfile: output directory /nonexistent/pi-textfile-dir does not exist; create it (sudo mkdir -p /nonexistent/pi-textfile-dir) or pass --textfile.directory DIR (the directory node_exporter reads with --collector.textfile.directory)\n');
});

test('output directory not writable: exit 2, previous file untouched', { skip: process.getuid?.() !== 0 && 'needs root to run the bundle as nobody' }, () => {
  const base = tempDir('pi-textfile-ro-');
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, 'textfile');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'pi-textfile.prom'), 'previous 1\n', { mode: 0o644 });
  const bundleDir = tempDir('pi-textfile-bundle-');
  fs.chmodSync(bundleDir, 0o755);
  const out = runBundle(['collect', '--once', '--textfile.directory', dir, '--path.procfs', '/proc', '--path.sysfs', '/sys'],
    { uid: 65534, gid: 65534, bundle: copyProgram(bundleDir), cwd: '/' });
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /^pi-textfile: output directory .* is not writable \(permission denied\); run pi-textfile as a user that may write there/);
  assert.equal(out.stderr.split('\n').length, 2);
  assert.equal(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), 'previous 1\n');
});

test('killed in mid-run: the previous file stays whole; the next run removes the stale temp file', async () => {
  const dir = tempDir('pi-textfile-kill-');
  fs.writeFileSync(path.join(dir, 'pi-textfile.prom'), 'previous 1\n');
  const hang = path.join(tempDir('pi-textfile-vc-'), 'vcgencmd');
  fs.writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  const child = spawn(process.execPath, [BUNDLE, 'collect', '--once', '--textfile.directory', dir, '--vcgencmd.timeout', '20s', ...pi4bWith(hang)], { stdio: 'ignore' });
  await waitFor(async () => (spawnSync('pgrep', ['-P', String(child.pid)]).stdout.length > 0 ? true : undefined), 10_000, 'vcgencmd to start');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.equal(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), 'previous 1\n');
  // A temp file left by a run killed during its write (SIGKILL cannot be caught):
  const stale = path.join(dir, 'pi-textfile.prom.123456789');
  const young = path.join(dir, 'pi-textfile.prom.987654321');
  fs.writeFileSync(stale, 'partial');
  fs.writeFileSync(young, 'in progress');
  const old = new Date(Date.now() - 10 * 60_000);
  fs.utimesSync(stale, old, old);
  const out = runBundle(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b')]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!fs.existsSync(stale), 'stale temp file removed');
  assert.ok(fs.existsSync(young), 'a young temp file may belong to a running collect: kept');
  assert.match(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), /^rpi_board_info\{/m);
});

test('many concurrent runs: every run succeeds, the file is whole and valid, no temp file is left', async () => {
  const dir = tempDir('pi-textfile-concurrent-');
  const runs = Array.from({ length: 12 }, () =>
    new Promise<number>((resolve) => {
      const c = spawn(process.execPath, [BUNDLE, 'collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b')], { stdio: 'ignore' });
      c.on('exit', (code) => resolve(code ?? -1));
    }));
  assert.deepEqual(await Promise.all(runs), Array(12).fill(0));
  const files = fs.readdirSync(dir).sort();
  assert.deepEqual(files, ['.pi-textfile.code-cache', '.pi-textfile.prom.boot-cache.json', 'pi-textfile.prom'].filter((f) => files.includes(f)));
  assert.ok(files.includes('pi-textfile.prom'));
  const text = fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8');
  const golden = fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8');
  const strip = (t: string) => t.replace(/^pi_textfile_collector_duration_seconds.*\n/gm, '');
  assert.equal(strip(text), strip(golden));
  if (!promtool.skip) assert.equal(promtoolCheckMetrics(promtool.path!, text).status, 0);
});

test('invalid flags and values: exit 1 with one line', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['collect', '--bogus'], /^pi-textfile: unknown option '--bogus'/],
    [['collect', '--vcgencmd.timeout', '5'], /^pi-textfile: --vcgencmd.timeout "5" is not a duration; write it like 5s, 500ms or 1m30s\n$/],
    [['collect', '--vcgencmd.timeout', '1.5s'], /is not a duration/],
    [['collect', '--interval', '10ms'], /--interval 10ms is too short; the minimum is 1s/],
    [['collect', '--interval', '4w'], /^pi-textfile: --interval 4w is too long; the maximum is 1d\n$/],
    [['collect', '--vcgencmd.timeout', '25d'], /^pi-textfile: --vcgencmd.timeout 25d is too long; the maximum is 5m\n$/],
    [['collect', '--collector.clock.clocks', 'arm,gpu'], /unknown clock gpu; choose from arm, core/],
    [['collect', '--textfile.name', 'metrics.txt'], /--textfile.name "metrics.txt" must be a plain file name ending in .prom/],
    [['collect', '--textfile.name', '../x.prom'], /must be a plain file name/],
    [['frobnicate'], /^pi-textfile: unknown command 'frobnicate'/],
  ];
  for (const [argv, pattern] of cases) {
    const out = await runMain(argv);
    assert.equal(out.code, 1, argv.join(' '));
    assert.equal(out.stdout, '');
    assert.match(out.stderr, pattern, argv.join(' '));
    assert.equal(out.stderr.trimEnd().split('\n').length, 1, out.stderr);
  }
});

test('--help explains collect; --version prints the version', async () => {
  const help = await runMain(['collect', '--help']);
  assert.equal(help.code, 0);
  for (const text of ['--once', '--stdout', '--textfile.directory', '--no-collector.pmic', '--vcgencmd.timeout', 'Exit codes:']) assert.ok(help.stdout.includes(text), text);
  const version = await runMain(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
});

test('default output directory comes from /etc/default/prometheus-node-exporter', async () => {
  const rootfs = tempDir('pi-textfile-rootfs-');
  fs.mkdirSync(path.join(rootfs, 'etc', 'default'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc', 'default', 'prometheus-node-exporter'), `# test\nARGS="--no-collector.systemd --collector.textfile.directory=/srv/textfile"\n`);
  fs.mkdirSync(path.join(rootfs, 'srv', 'textfile'), { recursive: true });
  const out = await runMain(['collect', '--once', '--path.rootfs', rootfs, ...boardArgs('not-a-pi')]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(fs.existsSync(path.join(rootfs, 'srv', 'textfile', 'pi-textfile.prom')), 'written where ARGS below --path.rootfs says');
  fs.rmSync(path.join(rootfs, 'etc', 'default', 'prometheus-node-exporter'));
  fs.mkdirSync(path.join(rootfs, 'var', 'lib', 'prometheus', 'node-exporter'), { recursive: true });
  const fallback = await runMain(['collect', '--once', '--path.rootfs', rootfs, ...boardArgs('not-a-pi')]);
  assert.equal(fallback.code, 0, fallback.stderr);
  assert.ok(fs.existsSync(path.join(rootfs, 'var', 'lib', 'prometheus', 'node-exporter', 'pi-textfile.prom')), "else the Debian package's default below --path.rootfs");
});

test('a FIFO where /etc/default/prometheus-node-exporter should be is read as no file, never waited on', { timeout: 20_000 }, async () => {
  // Every read of a file someone else may have put there is bounded and never blocks (host.ts):
  // a FIFO opened for reading the usual way would wait for a writer forever.
  const rootfs = tempDir('pi-textfile-rootfs-');
  fs.mkdirSync(path.join(rootfs, 'etc', 'default'), { recursive: true });
  const made = spawnSync('mkfifo', [path.join(rootfs, 'etc', 'default', 'prometheus-node-exporter')]);
  assert.equal(made.status, 0, String(made.stderr));
  fs.mkdirSync(path.join(rootfs, 'var', 'lib', 'prometheus', 'node-exporter'), { recursive: true });
  const out = await runMain(['collect', '--once', '--path.rootfs', rootfs, ...boardArgs('not-a-pi')]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(fs.existsSync(path.join(rootfs, 'var', 'lib', 'prometheus', 'node-exporter', 'pi-textfile.prom')), "the Debian package's default, as with no file");
});

test('per-boot readings are taken once per boot', async () => {
  const proc = procWithBootId('pi4b', 'boot-one');
  const args = boardArgs('pi4b');
  const raw: Record<string, unknown> = { 'textfile.name': 'pi-textfile.prom', 'collector.clock.clocks': 'arm,core', 'vcgencmd.timeout': '5s', interval: '30s',
    'path.procfs': proc, 'path.sysfs': path.join(BOARDS, 'pi4b', 'sys'), 'path.rootfs': '/', vcgencmd: args[args.indexOf('--vcgencmd') + 1] };
  // The collectors that start vcgencmd on a Pi 4, and no others: what is counted here is theirs.
  const opts = collectOptionsFrom({ ...raw, 'collector.disableDefaults': true, ...Object.fromEntries(['throttled', 'clock', 'voltage', 'firmware', 'bootloader'].map((c) => [`collector.${c}`, true])) });
  const cacheFile = path.join(tempDir(), 'cache.json');
  const deps = { ...defaultCollectDeps(), now: () => 0 };
  const first = await collectOnce(opts, deps, cacheFile);
  assert.equal(first.spawned, 9); // get_throttled, 2 clocks, 4 volts, version, bootloader_version
  fs.writeFileSync(cacheFile, first.cache!);
  const second = await collectOnce(opts, deps, cacheFile);
  assert.equal(second.spawned, 4); // get_throttled, 2 clocks, core volts
  assert.equal(second.exposition, first.exposition, 'cached answers give the same file');
  assert.equal(second.cache, null, 'nothing new to save');
  fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'boot-two\n');
  assert.equal((await collectOnce(opts, deps, cacheFile)).spawned, 9, 'a new boot reads everything again');
});
