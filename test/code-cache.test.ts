// The launcher's V8 code cache (src/launcher.cjs): written after a run that succeeded, used by
// the next, rebuilt when stale or rejected, never trusted when someone else could have written it,
// never written through a link. A cache that is used is not written again, so an unchanged inode
// after a run shows it was accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BOARDS, BUNDLE, boardArgs, tempDir } from './helpers';

const CACHE = '.pi-textfile.code-cache';
const MAIN = path.join(path.dirname(BUNDLE), 'main.cjs');
const golden = fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8');
const strip = (t: string): string => t.replace(/^pi_textfile_collector_duration_seconds.*\n/gm, '');

function collect(dir: string, ...extra: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, 'collect', '--once', `--textfile.directory=${dir}`, ...boardArgs('pi4b'), ...extra], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Runs collect in `dir` and checks that it wrote the Pi 4B's metrics. */
function collectOk(dir: string): void {
  const r = collect(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(strip(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8')), strip(golden));
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
}

function expectedKey(): string {
  const id = /var BUILD_ID = '([0-9a-f]{16})';/.exec(fs.readFileSync(BUNDLE, 'utf8'))![1];
  const st = fs.statSync(MAIN);
  return [process.version, process.arch, id, st.size, st.mtimeMs].join(' ');
}

/** The first line of a cache: its key. */
function headerOf(buf: Buffer): string {
  return buf.subarray(0, buf.indexOf(0x0a)).toString();
}
const header = (file: string): string => headerOf(fs.readFileSync(file));

test('the build id in the entry point is the hash of main.cjs', () => {
  const id = /var BUILD_ID = '([0-9a-f]{16})';/.exec(fs.readFileSync(BUNDLE, 'utf8'))?.[1];
  assert.equal(id, createHash('sha256').update(fs.readFileSync(MAIN)).digest('hex').slice(0, 16));
});

test('a run writes the cache (0600, keyed by Node, architecture and program); the next runs use it without writing it again', () => {
  const dir = tempDir('pi-textfile-cc-');
  collectOk(dir);
  const file = path.join(dir, CACHE);
  const st = fs.lstatSync(file);
  assert.ok(st.isFile());
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(st.uid, process.geteuid!());
  assert.equal(header(file), expectedKey());
  assert.ok(st.size > 10_000, `${st.size} bytes: the compiled functions are in it`);
  for (let i = 0; i < 2; i++) {
    collectOk(dir);
    const again = fs.lstatSync(file);
    assert.equal(again.ino, st.ino, 'not rewritten: it was accepted');
    assert.equal(again.mtimeMs, st.mtimeMs);
  }
});

test('a cache from another Node, or one V8 rejects, is replaced; the run is unaffected', () => {
  for (const spoil of [
    // the key of another Node version
    (text: Buffer) => Buffer.concat([Buffer.from(`v0.0.0${headerOf(text).slice(headerOf(text).indexOf(' '))}\n`), text.subarray(text.indexOf(0x0a) + 1)]),
    // the right key, and data V8 rejects: overwritten, then cut short
    (text: Buffer) => Buffer.concat([text.subarray(0, text.indexOf(0x0a) + 1), Buffer.alloc(text.length - text.indexOf(0x0a) - 1, 0x5a)]),
    (text: Buffer) => text.subarray(0, text.indexOf(0x0a) + 1 + 64),
  ]) {
    const dir = tempDir('pi-textfile-cc-');
    collectOk(dir);
    const file = path.join(dir, CACHE);
    const spoiled = spoil(fs.readFileSync(file));
    fs.writeFileSync(file, spoiled);
    const before = fs.lstatSync(file).ino;
    collectOk(dir);
    assert.notEqual(fs.lstatSync(file).ino, before, 'replaced');
    assert.equal(header(file), expectedKey());
    const rebuilt = fs.lstatSync(file).ino;
    collectOk(dir);
    assert.equal(fs.lstatSync(file).ino, rebuilt, 'the rebuilt cache is accepted');
  }
});

test('a cache others could have written is never used: group- or world-writable, or owned by another user', () => {
  const spoilers: Array<[string, (file: string) => void]> = [
    ['group-writable', (f) => fs.chmodSync(f, 0o620)],
    ['world-writable', (f) => fs.chmodSync(f, 0o602)],
  ];
  if (process.geteuid!() === 0) spoilers.push(['owned by nobody', (f) => fs.chownSync(f, 65534, 65534)]);
  for (const [name, spoil] of spoilers) {
    const dir = tempDir('pi-textfile-cc-');
    collectOk(dir);
    const file = path.join(dir, CACHE);
    spoil(file);
    const before = fs.lstatSync(file).ino;
    collectOk(dir);
    const st = fs.lstatSync(file);
    assert.notEqual(st.ino, before, `${name}: replaced, not used`);
    assert.equal(st.mode & 0o777, 0o600, name);
    assert.equal(st.uid, process.geteuid!(), name);
  }
});

test('a link at the cache name is neither read nor written through; a directory there is left alone', () => {
  const dir = tempDir('pi-textfile-cc-');
  const outside = path.join(tempDir('pi-textfile-cc-outside-'), 'precious');
  fs.writeFileSync(outside, 'precious\n', { mode: 0o600 });
  fs.symlinkSync(outside, path.join(dir, CACHE));
  collectOk(dir);
  assert.equal(fs.readFileSync(outside, 'utf8'), 'precious\n', 'the target is untouched');
  assert.ok(fs.lstatSync(path.join(dir, CACHE)).isFile(), 'the link itself was replaced by a cache file');

  const dir2 = tempDir('pi-textfile-cc-');
  fs.mkdirSync(path.join(dir2, CACHE));
  collectOk(dir2);
  collectOk(dir2);
  assert.ok(fs.lstatSync(path.join(dir2, CACHE)).isDirectory());
  assert.deepEqual(fs.readdirSync(path.join(dir2, CACHE)), []);
});

test('no cache from a run that failed, from --stdout, from the long-running mode, or from other commands', () => {
  const dir = tempDir('pi-textfile-cc-');
  const failed = collect(dir, '--path.procfs', path.join(dir, 'no-such-proc'));
  assert.equal(failed.status, 2);
  assert.deepEqual(fs.readdirSync(dir), []);
  for (const mode of [['--stdout'], ['--once', '--stdout']]) {
    const printed = spawnSync(process.execPath, [BUNDLE, 'collect', ...mode, '--textfile.directory', dir, ...boardArgs('pi4b')], { encoding: 'utf8' });
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stderr, '', mode.join(' '));
    assert.deepEqual(fs.readdirSync(dir), [], mode.join(' '));
  }
  // The long-running mode, stopped after its first write: it exits 0 without a cache.
  const loop = spawnSync(process.execPath, [BUNDLE, 'collect', '--interval', '1s', '--textfile.directory', dir, ...boardArgs('pi4b')], { encoding: 'utf8', timeout: 2500, killSignal: 'SIGTERM' });
  assert.equal(loop.status, 0, loop.stderr);
  assert.equal(loop.stderr, '');
  assert.ok(fs.existsSync(path.join(dir, 'pi-textfile.prom')));
  assert.ok(!fs.existsSync(path.join(dir, CACHE)));
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  for (const args of [['collect', '--help'], ['collect', '--once', '--help'], ['collect', '--once', '-h'], ['help', 'collect', '--once']]) {
    const help = spawnSync(process.execPath, [BUNDLE, ...args, '--textfile.directory', dir], { encoding: 'utf8' });
    assert.equal(help.status, 0, args.join(' '));
    assert.equal(help.stderr, '', args.join(' '));
    assert.deepEqual(fs.readdirSync(dir), [], args.join(' '));
  }
});

test('a temporary cache file left by a killed run is removed by the next run once it is a minute old', () => {
  const dir = tempDir('pi-textfile-cc-');
  const stale = path.join(dir, `.${CACHE}.0123456789abcdef.tmp`);
  const young = path.join(dir, `.${CACHE}.fedcba9876543210.tmp`);
  fs.writeFileSync(stale, 'partial');
  fs.writeFileSync(young, 'partial');
  const old = new Date(Date.now() - 120_000);
  fs.utimesSync(stale, old, old);
  const r = collect(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!fs.existsSync(stale));
  assert.ok(fs.existsSync(young), 'a young one may belong to a run in progress');
});

test('a link at the cache name to a valid cache of ours is not followed: the run compiles anew and replaces the link', () => {
  const elsewhere = tempDir('pi-textfile-cc-elsewhere-');
  collectOk(elsewhere);
  const valid = path.join(elsewhere, CACHE);
  const before = fs.readFileSync(valid);
  const dir = tempDir('pi-textfile-cc-');
  fs.symlinkSync(valid, path.join(dir, CACHE));
  collectOk(dir);
  assert.ok(fs.lstatSync(path.join(dir, CACHE)).isFile(), 'the link was not read through (a cache that is used is not written again): it was replaced by a cache of its own');
  assert.deepEqual(fs.readFileSync(valid), before, "the link's target is untouched");
});

test('the cache\'s temporary file is created exclusively: one planted at its name is neither written nor renamed into place', { skip: process.geteuid?.() !== 0 && 'needs root: the planted file belongs to another user' }, () => {
  const dir = tempDir('pi-textfile-cc-');
  // Math.random fixed at 0.5: the launcher's temporary name is then .CACHE.8000000080000000.tmp.
  const preload = path.join(tempDir('pi-textfile-cc-preload-'), 'fixed-random.cjs');
  fs.writeFileSync(preload, 'Math.random = () => 0.5;\n');
  const planted = path.join(dir, `.${CACHE}.8000000080000000.tmp`);
  fs.writeFileSync(planted, 'planted by another user\n', { mode: 0o644 });
  fs.chownSync(planted, 65534, 65534);
  const r = spawnSync(process.execPath, ['-r', preload, BUNDLE, 'collect', '--once', `--textfile.directory=${dir}`, ...boardArgs('pi4b')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(planted, 'utf8'), 'planted by another user\n', 'not written');
  assert.equal(fs.statSync(planted).uid, 65534);
  assert.ok(!fs.existsSync(path.join(dir, CACHE)), 'no cache this time: its temporary name was taken');
  assert.ok(fs.existsSync(path.join(dir, 'pi-textfile.prom')), 'the metrics were written all the same');
});

test('the directory given as a separate argument is the cache\'s too; a --textfile.directory with no value is collect\'s one-line error', () => {
  const dir = tempDir('pi-textfile-cc-');
  const r = spawnSync(process.execPath, [BUNDLE, 'collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.lstatSync(path.join(dir, CACHE)).isFile());
  const missing = spawnSync(process.execPath, [BUNDLE, 'collect', '--once', ...boardArgs('pi4b'), '--textfile.directory'], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, "pi-textfile: option '--textfile.directory' argument missing (see pi-textfile collect --help)\n");
});

test('the key is compared byte by byte: a cache keyed for another build of the same length is not used', () => {
  const dir = tempDir('pi-textfile-cc-');
  collectOk(dir);
  const file = path.join(dir, CACHE);
  const text = fs.readFileSync(file);
  const key = headerOf(text);
  // The build id is the third word: change its last hex digit, nothing else.
  const words = key.split(' ');
  const id = words[2]!;
  words[2] = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(words.join(' ')), text.subarray(key.length)]), { mode: 0o600 });
  const before = fs.lstatSync(file).ino;
  collectOk(dir);
  assert.notEqual(fs.lstatSync(file).ino, before, 'not used: replaced');
  assert.equal(header(file), expectedKey());
});

test('a cache of exactly 16 MiB is read; one byte more and it is not', () => {
  for (const [extra, used] of [[0, true], [1, false]] as const) {
    const dir = tempDir('pi-textfile-cc-');
    collectOk(dir);
    const file = path.join(dir, CACHE);
    // V8 takes a valid cache followed by zeros: only the size decides here.
    fs.truncateSync(file, 16 * 1024 * 1024 + extra);
    const before = fs.lstatSync(file).ino;
    collectOk(dir);
    assert.equal(fs.lstatSync(file).ino === before, used, `16 MiB + ${extra}: ${used ? 'used' : 'replaced'}`);
  }
});

test('what the kernel is asked (strace): the cache opened in the given directory only, without following a link or blocking, and closed; written exclusively, fsynced, closed, renamed', { skip: !fs.existsSync('/usr/bin/strace') && !process.env.CI && 'needs strace' }, () => {
  const trace = (dir: string, ...args: string[]): string[] => {
    const log = path.join(tempDir('pi-textfile-cc-log-'), 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,close,rename,unlink', '-o', log, process.execPath, BUNDLE, 'collect', ...args, ...boardArgs('pi4b')], { encoding: 'utf8', cwd: dir });
    assert.ok(r.status !== null, r.stderr);
    return fs.readFileSync(log, 'utf8').split('\n').map((l) => l.replace(/^\d+\s+/, '').replace(/\)\s+= /, ') = '));
  };
  const dir = tempDir('pi-textfile-cc-');
  const cache = path.join(dir, CACHE);
  // First run: a miss; the cache is written.
  let calls = trace(dir, '--once', `--textfile.directory=${dir}`);
  const read = `openat(AT_FDCWD, "${cache}", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC)`;
  assert.ok(calls.includes(`${read} = -1 ENOENT (No such file or directory)`), 'looked for with O_NOFOLLOW|O_NONBLOCK');
  const tmp = new RegExp(`^openat\\(AT_FDCWD, "(${dir}/\\.\\${CACHE}\\.[0-9a-f]{16}\\.tmp)", O_WRONLY\\|O_CREAT\\|O_EXCL\\|O_NOFOLLOW\\|O_CLOEXEC, 0600\\) = (\\d+)$`);
  const at = calls.findIndex((l) => tmp.test(l));
  assert.ok(at >= 0, 'written through a temporary file created exclusively');
  const [, name, fd] = tmp.exec(calls[at]!)!;
  assert.deepEqual(calls.slice(at + 1, at + 4), [`fsync(${fd}) = 0`, `close(${fd}) = 0`, `rename("${name}", "${cache}") = 0`]);
  // Second run: the cache is read and its descriptor closed.
  calls = trace(dir, '--once', `--textfile.directory=${dir}`);
  const opened = calls.findIndex((l) => l.startsWith(`${read} = `));
  const cacheFd = /= (\d+)$/.exec(calls[opened]!)![1];
  assert.ok(calls.slice(opened + 1).includes(`close(${cacheFd}) = 0`), 'closed');
  // An empty --textfile.directory: collect refuses it, and no cache is looked for anywhere (not in the working directory).
  fs.writeFileSync(path.join(dir, 'x'), '');
  calls = trace(dir, '--once', '--textfile.directory=');
  assert.deepEqual(calls.filter((l) => l.includes(CACHE)), []);
});

test('a cache that does not fit on the disk: its temporary file is closed and removed, the metrics are written', { skip: process.geteuid?.() !== 0 && 'needs root (a small tmpfs)' }, () => {
  const dir = tempDir('pi-textfile-cc-full-');
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', dir]).status, 0);
  try {
    const log = path.join(tempDir('pi-textfile-cc-log-'), 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,close,unlink', '-o', log, process.execPath, BUNDLE, 'collect', '--once', `--textfile.directory=${dir}`, ...boardArgs('pi4b')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.pi-textfile.prom.boot-cache.json', 'pi-textfile.prom'].filter((f) => fs.existsSync(path.join(dir, f))).sort());
    assert.ok(!fs.readdirSync(dir).includes(CACHE), 'no cache');
    const calls = fs.readFileSync(log, 'utf8').split('\n').map((l) => l.replace(/^\d+\s+/, '').replace(/\)\s+= /, ') = '));
    const at = calls.findIndex((l) => l.includes(`/.${CACHE}.`) && l.startsWith('openat('));
    const fd = /= (\d+)$/.exec(calls[at]!)![1];
    const name = /"([^"]+)"/.exec(calls[at]!)![1];
    const rest = calls.slice(at + 1);
    assert.ok(rest.includes(`close(${fd}) = 0`), 'closed');
    assert.ok(rest.includes(`unlink("${name}") = 0`), 'removed');
  } finally {
    spawnSync('umount', [dir]);
  }
});
