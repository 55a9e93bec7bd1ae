// collect's synchronous spawn, both ways: through Node's spawn_sync binding, and through
// child_process.spawnSync, which replaces it wherever the binding is missing or answers
// unexpectedly. Every case runs both ways and must give the same outcome.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bindingTestedOn, outcomeOf, spawnDirect, spawnPublic, spawnSyncOutcome, type SyncOutcome, type SyncSpawnOptions } from '../src/framework/spawn-sync';
import { BOARDS, boardArgs, broughtByChildProcess, BUNDLE, emptyScript, moduleListPreload, table, tempDir, zeroDurations } from './helpers';

const OPTS: SyncSpawnOptions = { env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' }, timeoutMs: 5000, maxBuffer: 65536 };
const dir = tempDir('pi-textfile-spawn-');
const notExecutable = path.join(dir, 'not-executable');
fs.writeFileSync(notExecutable, '#!/bin/sh\necho never\n', { mode: 0o644 });

interface Case {
  source: string;
  file: string;
  args: string[];
  opts?: Partial<SyncSpawnOptions>;
  expected: SyncOutcome | ((o: SyncOutcome) => void);
}

const cases: Case[] = [
  { source: 'a clean exit: its stdout, empty stderr, status 0', file: '/bin/sh', args: ['-c', 'printf "one\\ntwo\\n"'], expected: { status: 0, signal: null, stdout: 'one\ntwo\n', stderr: '' } },
  { source: 'a failing exit: its status and its stderr', file: '/bin/sh', args: ['-c', 'echo out; echo err >&2; exit 3'], expected: { status: 3, signal: null, stdout: 'out\n', stderr: 'err\n' } },
  { source: 'a file that does not exist: ENOENT, nothing ran', file: path.join(dir, 'absent'), args: [], expected: { status: null, signal: null, stdout: '', stderr: '', error: 'ENOENT' } },
  { source: 'a file that is not executable: EACCES, nothing ran', file: notExecutable, args: [], expected: { status: null, signal: null, stdout: '', stderr: '', error: 'EACCES' } },
  {
    source: 'a program that outlives the timeout: killed with SIGKILL, ETIMEDOUT, what it wrote before kept',
    file: '/bin/sh',
    args: ['-c', 'echo started; exec sleep 30'],
    opts: { timeoutMs: 300 },
    expected: { status: null, signal: 'SIGKILL', stdout: 'started\n', stderr: '', error: 'ETIMEDOUT' },
  },
  {
    source: 'output past the cap: killed with SIGKILL, ENOBUFS, the output read so far kept',
    file: '/bin/sh',
    args: ['-c', 'while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done'],
    opts: { maxBuffer: 4096 },
    expected: (o) => {
      assert.equal(o.error, 'ENOBUFS');
      assert.equal(o.signal, 'SIGKILL');
      assert.equal(o.status, null);
      assert.ok(o.stdout.length > 4096, `${o.stdout.length} bytes`);
      assert.match(o.stdout, /^(y{31}\n)+y*$/);
    },
  },
  { source: 'a program ended by a signal: its name, no status', file: '/bin/sh', args: ['-c', 'echo before; kill -TERM $$'], expected: { status: null, signal: 'SIGTERM', stdout: 'before\n', stderr: '' } },
  { source: 'bytes that are not UTF-8: decoded as U+FFFD', file: '/bin/sh', args: ['-c', 'printf "a\\377b"'], expected: { status: 0, signal: null, stdout: 'a\uFFFDb', stderr: '' } },
  { source: 'the environment: exactly the pairs given', file: '/usr/bin/env', args: [], expected: { status: 0, signal: null, stdout: 'LC_ALL=C\nPATH=/usr/bin:/bin\n', stderr: '' } },
  { source: 'stdin: /dev/null', file: '/bin/sh', args: ['-c', 'cat; echo "[$?]"'], expected: { status: 0, signal: null, stdout: '[0]\n', stderr: '' } },
  { source: 'arguments: passed as they are, never through a shell', file: '/bin/echo', args: ['$(id)', '*', 'a b', ''], expected: { status: 0, signal: null, stdout: '$(id) * a b \n', stderr: '' } },
];

table('spawning synchronously, through the binding and through child_process alike', cases, (c) => {
  const opts = { ...OPTS, ...c.opts };
  const direct = spawnDirect(c.file, c.args, opts);
  assert.notEqual(direct, null, 'the spawn_sync binding is not usable on this Node');
  const pub = spawnPublic(c.file, c.args, opts);
  for (const [way, outcome] of [['binding', direct!], ['child_process', pub]] as const) {
    if (typeof c.expected === 'function') c.expected(outcome);
    else assert.deepEqual(outcome, c.expected, way);
  }
  if (typeof c.expected === 'function') assert.deepEqual({ ...direct!, stdout: '' }, { ...pub, stdout: '' });
});

table<{ source: string; version: string; used: boolean }>(
  'the binding is used on the Node majors the tests run it on, and only there',
  [
    { source: 'Node 18.17, the oldest supported', version: '18.17.0', used: true },
    { source: 'Node 20', version: '20.20.2', used: true },
    { source: 'Node 26', version: '26.10.0', used: true },
    { source: 'Node 25, a short-lived release', version: '25.9.0', used: false },
    { source: 'Node 28, newer than any tested', version: '28.0.0', used: false },
    { source: 'not a version', version: 'x', used: false },
  ],
  (row) => assert.equal(bindingTestedOn(row.version), row.used),
);

test('a timed-out program is gone when the call returns, whichever way it ran', () => {
  const marker = `${process.pid}${Date.now() % 100000}`;
  for (const spawn of [spawnDirect, spawnPublic]) {
    const started = Date.now();
    const o = spawn('/bin/sh', ['-c', `exec sleep 30.${marker}`], { ...OPTS, timeoutMs: 300 });
    assert.equal(o?.error, 'ETIMEDOUT');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(spawnSync('pgrep', ['-f', `sleep 30.${marker}`], { encoding: 'utf8' }).stdout, '', `${spawn.name} left the program running`);
  }
});

test('an argument holding a NUL byte is refused before anything runs', () => {
  const witness = path.join(dir, 'ran');
  assert.throws(() => spawnSyncOutcome('/bin/sh', ['-c', `touch ${witness}`, 'a\u0000b'], OPTS), /an argument holds a NUL byte: "a\\u0000b"/);
  assert.throws(() => spawnSyncOutcome('/bin/sh\u0000x', [], OPTS), /NUL byte/);
  assert.equal(fs.existsSync(witness), false);
});

table<{ source: string; raw: unknown; expected: SyncOutcome | null }>(
  'the binding\'s answer is used only when it is what spawnSync reads',
  [
    { source: 'a clean exit', raw: { status: 0, signal: null, output: [null, Buffer.from('a'), Buffer.from('b')], pid: 7 }, expected: { status: 0, signal: null, stdout: 'a', stderr: 'b' } },
    { source: 'a program that did not start', raw: { error: -2, status: null, signal: null, output: null, pid: 0 }, expected: { status: null, signal: null, stdout: '', stderr: '', error: 'ENOENT' } },
    { source: 'a timeout', raw: { error: -110, status: null, signal: 'SIGKILL', output: [null, Buffer.from(''), Buffer.from('')], pid: 7 }, expected: { status: null, signal: 'SIGKILL', stdout: '', stderr: '', error: 'ETIMEDOUT' } },
    { source: 'no output and no error', raw: { status: 0, signal: null, output: null }, expected: null },
    { source: 'output that is not bytes', raw: { status: 0, signal: null, output: [null, 'a', 'b'] }, expected: null },
    { source: 'output as plain Uint8Arrays', raw: { status: 0, signal: null, output: [null, new Uint8Array(1), new Uint8Array(1)] }, expected: null },
    { source: 'output without stderr', raw: { status: 0, signal: null, output: [null, Buffer.from('a')] }, expected: null },
    { source: 'a status that is a string', raw: { status: '0', signal: null, output: [null, Buffer.from(''), Buffer.from('')] }, expected: null },
    { source: 'no status at all', raw: { signal: null, output: [null, Buffer.from(''), Buffer.from('')] }, expected: null },
    { source: 'a signal that is a number', raw: { status: null, signal: 9, output: [null, Buffer.from(''), Buffer.from('')] }, expected: null },
    { source: 'an error that is a string', raw: { error: 'ENOENT', status: null, signal: null, output: null }, expected: null },
    { source: 'no object', raw: null, expected: null },
  ],
  (row) => assert.deepEqual(outcomeOf(row.raw as Parameters<typeof outcomeOf>[0]), row.expected),
);

/** Runs the bundle (or `script`) with a preload that lists the Node modules it loaded. */
function modulesLoadedBy(args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}, script = BUNDLE): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const { preload, loaded } = moduleListPreload();
  const r = spawnSync(process.execPath, [...nodeFlags, '-r', preload, script, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: loaded() };
}

test('collect --once starts its vcgencmd without loading child_process, nor the sockets and streams it brings', () => {
  const out = tempDir();
  const r = modulesLoadedBy(['collect', '--once', '--textfile.directory', out, ...boardArgs('pi4b')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(r.modules.includes('Internal Binding spawn_sync'), 'vcgencmd was not started through the binding');
  assert.deepEqual(broughtByChildProcess(r.modules, modulesLoadedBy([], [], {}, emptyScript()).modules), []);
  assert.equal(zeroDurations(fs.readFileSync(path.join(out, 'pi-textfile.prom'), 'utf8')), fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8'));
});

/** The long-running mode for one collection, then SIGTERM: its exit code and stderr. */
async function oneCollection(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const out = tempDir();
  const child = spawn(process.execPath, [BUNDLE, 'collect', '--interval', '1s', '--textfile.directory', out, ...boardArgs('pi4b')], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const file = path.join(out, 'pi-textfile.prom');
  for (let i = 0; i < 100 && !fs.existsSync(file) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  // A warning is printed on the turn of the event loop after the call that caused it.
  await new Promise((r) => setTimeout(r, 300));
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  const code = await closed;
  clearTimeout(killer);
  return { code, stderr };
}

test('--pending-deprecation and --throw-deprecation: no deprecation warning reaches the operator, the run is whole', async () => {
  for (const env of [{ NODE_OPTIONS: '--pending-deprecation' }, { NODE_OPTIONS: '--pending-deprecation --throw-deprecation' }, { NODE_PENDING_DEPRECATION: '1' }]) {
    const once = modulesLoadedBy(['collect', '--stdout', ...boardArgs('pi4b')], [], env);
    assert.equal(once.status, 0, once.stderr);
    assert.equal(once.stderr, fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.stderr'), 'utf8'), JSON.stringify(env));
    assert.ok(once.modules.includes('Internal Binding spawn_sync'));
    // The long-running mode turns the event loop after its first calls, where a warning would show.
    const loop = await oneCollection(env);
    assert.equal(loop.code, 0, loop.stderr);
    assert.equal(loop.stderr, '', JSON.stringify(env));
  }
});

test('under Node\'s permission model, which refuses the binding, vcgencmd runs through child_process and the answers are the same', { skip: Number(process.versions.node.split('.')[0]) < 20 && 'Node 20 or newer has the permission model' }, () => {
  const major = Number(process.versions.node.split('.')[0]);
  const flag = major >= 23 || (major === 22 && Number(process.versions.node.split('.')[1]) >= 13) ? '--permission' : '--experimental-permission';
  const r = modulesLoadedBy(['collect', '--stdout', ...boardArgs('pi4b')], [flag, '--allow-fs-read=*', '--allow-fs-write=*', '--allow-child-process', '--no-warnings']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.modules.includes('NativeModule child_process'), 'child_process was not the way');
  assert.equal(zeroDurations(r.stdout), fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8'));
  assert.equal(r.stderr, fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.stderr'), 'utf8'));
});
