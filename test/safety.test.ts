// Writes that never follow a link, and the faults that once took the whole file down. Each test
// here failed before its fix. The symlink cases are planted by a less-privileged user (nobody,
// through runuser) in a directory that user may write, for a root run of the bundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkScrape } from '../src/deploy/checks/scrape';
import { checkOutputDirectory, isTempFileFor, removeStaleTempFiles, STALE_TEMP_AGE_MS as STALE_TEMP_AGE, writeAtomically } from '../src/framework/textfile';
import { boardArgs, BOARDS, BUNDLE, procWithBootId, runBundle, runMain, table, tempDir } from './helpers';

const root = process.getuid?.() === 0;
const needsRoot = !root && 'needs root: a root run is what a planted link attacks';
const NOBODY = 65534;

/** A directory nobody may write, as /var/lib/prometheus/node-exporter is for the prometheus user. */
function nobodysDirectory(): string {
  const base = tempDir('pi-textfile-planted-');
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, 'textfile');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chownSync(dir, NOBODY, NOBODY);
  return dir;
}

/** A file only root may read or write, and what it holds. */
function secret(): { file: string; check(): void } {
  const dir = tempDir('pi-textfile-secret-');
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'shadow');
  fs.writeFileSync(file, 'root-only secret\n', { mode: 0o600 });
  return {
    file,
    check() {
      assert.equal(fs.readFileSync(file, 'utf8'), 'root-only secret\n', 'the planted link\'s target is unchanged');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'and so is its mode');
    },
  };
}

function plant(target: string, at: string): void {
  const r = spawnSync('runuser', ['-u', 'nobody', '--', 'ln', '-s', target, at], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const collectInto = (dir: string, ...more: string[]) => runBundle(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b'), ...more]);

test('pi-textfile.prom a link planted to a root-only file: refused with one line, the target untouched', { skip: needsRoot }, () => {
  const dir = nobodysDirectory();
  const s = secret();
  plant(s.file, path.join(dir, 'pi-textfile.prom'));
  const r = collectInto(dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `pi-textfile: ${dir}/pi-textfile.prom is a symbolic link (to ${JSON.stringify(s.file)}), and pi-textfile never writes through a link it did not make; remove it, or write elsewhere\n`);
  s.check();
  assert.ok(fs.lstatSync(path.join(dir, 'pi-textfile.prom')).isSymbolicLink());
});

test('the boot cache a link planted to a root-only file, or to /dev/zero: never read or written through', { skip: needsRoot }, () => {
  const dir = nobodysDirectory();
  const proc = procWithBootId('pi4b');
  const s = secret();
  const cache = path.join(dir, '.pi-textfile.prom.boot-cache.json');
  for (const target of [s.file, '/dev/zero']) {
    fs.rmSync(cache, { force: true });
    plant(target, cache);
    const started = Date.now();
    const r = collectInto(dir, '--path.procfs', proc);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.match(r.stderr, /^pi-textfile: warning: boot cache not saved: .*boot-cache\.json is a symbolic link/m);
    assert.match(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), /^rpi_firmware_info\{/m, 'the file itself is written');
  }
  s.check();
});

test('links planted at the temporary file\'s name are never opened: another name is drawn, the decoy untouched', () => {
  const dir = tempDir('pi-textfile-tmpname-');
  const s = path.join(tempDir('pi-textfile-decoy-'), 'decoy');
  fs.writeFileSync(s, 'decoy\n');
  const names = ['0000000000000001', '0000000000000002', '0000000000000003'];
  for (const n of names.slice(0, 2)) fs.symlinkSync(s, path.join(dir, `.pi-textfile.prom.${n}.tmp`));
  writeAtomically(path.join(dir, 'pi-textfile.prom'), 'x 1\n', () => names.shift()!);
  assert.equal(fs.readFileSync(s, 'utf8'), 'decoy\n');
  assert.equal(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), 'x 1\n');
  assert.ok(fs.lstatSync(path.join(dir, 'pi-textfile.prom')).isFile());
  assert.equal(fs.statSync(path.join(dir, 'pi-textfile.prom')).mode & 0o777, 0o644);
  assert.ok(!fs.existsSync(path.join(dir, '.pi-textfile.prom.0000000000000003.tmp')), 'no temporary file left');
});

test('install\'s dangling link (after boot, before the first timer run): a manual collect --once leaves it as it is', () => {
  const dir = tempDir('pi-textfile-installed-');
  fs.symlinkSync('/run/pi-textfile/pi-textfile.prom', path.join(dir, 'pi-textfile.prom'));
  const r = collectInto(dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pi-textfile: .*pi-textfile\.prom is the link pi-textfile install made to \/run\/pi-textfile\/pi-textfile\.prom, which the installed service writes; it is left as it is: start the service .* or write there yourself with --textfile\.directory \/run\/pi-textfile\n$/);
  assert.equal(fs.readlinkSync(path.join(dir, 'pi-textfile.prom')), '/run/pi-textfile/pi-textfile.prom');
});

test('a FIFO or a directory where pi-textfile.prom belongs: refused at once, nothing opened', () => {
  for (const make of ['fifo', 'dir']) {
    const dir = tempDir('pi-textfile-special-');
    const at = path.join(dir, 'pi-textfile.prom');
    if (make === 'fifo') spawnSync('mkfifo', [at]);
    else fs.mkdirSync(at);
    const r = collectInto(dir);
    assert.equal(r.code, 2, make);
    assert.match(r.stderr, new RegExp(`is not a regular file \\(it is a ${make === 'fifo' ? 'FIFO' : 'directory'}\\)`));
  }
});

test('gen-config --out: a directory or FIFO named prometheus.yml is refused with one line, no hang', () => {
  const config = path.join(tempDir(), 'cluster.yml');
  fs.writeFileSync(config, 'cluster: c\nnodes: [pi1.local]\n');
  for (const make of ['fifo', 'dir']) {
    const out = tempDir('pi-textfile-genout-');
    const at = path.join(out, 'prometheus.yml');
    if (make === 'fifo') spawnSync('mkfifo', [at]);
    else fs.mkdirSync(at);
    const r = runBundle(['gen-config', '--config', config, '--out', out]);
    assert.equal(r.code, 2, make);
    assert.match(r.stderr, /^pi-textfile: not overwriting .*prometheus\.yml: not generated by pi-textfile/);
    const forced = runBundle(['gen-config', '--config', config, '--out', out, '--force']);
    assert.equal(forced.code, 2, make);
    assert.match(forced.stderr, /prometheus\.yml is not a regular file/);
  }
});

test('temporary files of killed runs, of the file and of the boot cache, old style and new, are removed after a minute', async () => {
  const dir = tempDir('pi-textfile-stale-');
  const old = new Date(Date.now() - 10 * 60_000);
  const stale = ['pi-textfile.prom.123456789', '.pi-textfile.prom.boot-cache.json.987654', '.pi-textfile.prom.0123456789abcdef.tmp', '..pi-textfile.prom.boot-cache.json.fedcba9876543210.tmp'];
  for (const f of stale) {
    fs.writeFileSync(path.join(dir, f), 'partial');
    fs.utimesSync(path.join(dir, f), old, old);
  }
  fs.writeFileSync(path.join(dir, '.pi-textfile.prom.1111111111111111.tmp'), 'a run in progress');
  const r = await runMain(['collect', '--once', '--textfile.directory', dir, ...boardArgs('not-a-pi')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['.pi-textfile.prom.1111111111111111.tmp', 'pi-textfile.prom']);
});

test('the sweep of temporary files removes only pi-textfile\'s own: another exporter\'s files, look-alike names and a FIFO stay', { skip: !root && 'needs mkfifo as any user; runs everywhere as root' }, async () => {
  const dir = tempDir('pi-textfile-neighbours-');
  const old = new Date(Date.now() - 10 * 60_000);
  const ours = ['.pi-textfile.prom.0123456789abcdef.tmp', 'pi-textfile.prom.42'];
  const theirs = [
    'smartmon.prom', // another collector's file, as Debian's prometheus-node-exporter-collectors writes them
    'apt.prom.1234', // another writer's temporary name in the old style
    '.smartmon.prom.0123456789abcdef.tmp', // the new style, another name
    '.pi-textfile.prom.0123456789ABCDEF.tmp', // upper-case hex: never ours
    '.pi-textfile.prom.0123456789abcde.tmp', // 15 hex digits
    '.pi-textfile.prom.0123456789abcdef0.tmp', // 17
    '.pi-textfile.prom.0123456789abcdef.tmpx',
    'x.pi-textfile.prom.0123456789abcdef.tmp',
    'pi-textfile.prom.42a',
    'pi-textfile.prom.',
    'pi-textfile.promx.42',
    'pi-textfile-prom.123', // as long as ours, digits where ours has them
  ];
  for (const f of [...ours, ...theirs]) {
    fs.writeFileSync(path.join(dir, f), 'data');
    fs.utimesSync(path.join(dir, f), old, old);
  }
  const fifo = '.pi-textfile.prom.fedcba9876543210.tmp';
  assert.equal(spawnSync('mkfifo', [path.join(dir, fifo)]).status, 0);
  spawnSync('touch', ['-h', '-d', '@' + Math.floor(old.getTime() / 1000), path.join(dir, fifo)]);
  // A link of our temporary form, planted to a file of root's: the link goes, its target stays.
  const s = secret();
  const link = '.pi-textfile.prom.00000000aaaaaaaa.tmp';
  fs.symlinkSync(s.file, path.join(dir, link));
  spawnSync('touch', ['-h', '-d', '@' + Math.floor(old.getTime() / 1000), path.join(dir, link)]);
  const r = await runMain(['collect', '--once', '--textfile.directory', dir, ...boardArgs('not-a-pi')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), [...theirs, fifo, 'pi-textfile.prom'].sort(), 'only our two temporary files and the planted link were removed');
  s.check();
});

table<{ source: string; entry: string; ours: boolean }>('isTempFileFor: this version\'s .NAME.<16 hex>.tmp and the old NAME.<digits>, nothing else', [
  { source: 'this version', entry: '.pi-textfile.prom.0123456789abcdef.tmp', ours: true },
  { source: 'the old style', entry: 'pi-textfile.prom.123', ours: true },
  { source: 'the file itself', entry: 'pi-textfile.prom', ours: false },
  { source: 'upper-case hex', entry: '.pi-textfile.prom.0123456789ABCDEF.tmp', ours: false },
  { source: '15 hex digits', entry: '.pi-textfile.prom.0123456789abcde.tmp', ours: false },
  { source: 'another ending', entry: '.pi-textfile.prom.0123456789abcdef.tnp', ours: false },
  { source: 'another name', entry: '.smartmon.prom.0123456789abcdef.tmp', ours: false },
  { source: 'a name that starts like ours', entry: '.pi-textfile.promx0123456789abcdef.tmp', ours: false },
  { source: 'old style with a letter', entry: 'pi-textfile.prom.12a', ours: false },
  { source: 'old style, no digits', entry: 'pi-textfile.prom.', ours: false },
  { source: 'old style of another name', entry: 'smartmon.prom.123', ours: false },
  { source: 'old style, a letter first', entry: 'pi-textfile.prom.a12', ours: false },
  { source: 'as long as ours, digits where ours has them, another name', entry: 'pi-textfile-prom.123', ours: false },
], (row) => assert.equal(isTempFileFor(row.entry, 'pi-textfile.prom'), row.ours));

test('removeStaleTempFiles: what it counts, the age limit to the millisecond, and a directory that cannot be read', () => {
  const dir = tempDir('pi-textfile-age-');
  const a = path.join(dir, '.pi-textfile.prom.0123456789abcdef.tmp');
  const b = path.join(dir, 'pi-textfile.prom.7');
  fs.writeFileSync(a, '');
  fs.writeFileSync(b, '');
  const mtime = fs.lstatSync(a).mtimeMs;
  const mtimeB = fs.lstatSync(b).mtimeMs;
  const latest = Math.max(mtime, mtimeB);
  assert.equal(removeStaleTempFiles(dir, ['pi-textfile.prom'], latest + STALE_TEMP_AGE), 0, 'exactly a minute old: kept');
  assert.equal(removeStaleTempFiles(dir, ['pi-textfile.prom'], latest + STALE_TEMP_AGE + 1), 2, 'older: both removed, and counted');
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.equal(removeStaleTempFiles(path.join(dir, 'gone'), ['pi-textfile.prom'], Date.now()), 0, 'a directory that cannot be listed: nothing to do');
});

test('a name that is taken at every try: eight more tries, then one line; a refusal other than "taken" is not retried', () => {
  const dir = tempDir('pi-textfile-taken-');
  fs.writeFileSync(path.join(dir, '.pi-textfile.prom.0123456789abcdef.tmp'), 'taken');
  let tries = 0;
  const same = (): string => {
    tries++;
    return '0123456789abcdef';
  };
  assert.throws(() => writeAtomically(path.join(dir, 'pi-textfile.prom'), 'x\n', same), /^UserError: cannot write .*pi-textfile\.prom: EEXIST: file already exists/);
  assert.equal(tries, 9);
  assert.deepEqual(fs.readdirSync(dir), ['.pi-textfile.prom.0123456789abcdef.tmp']);
});

test('the output directory: a file there, or a path through a file, is said as such', () => {
  const file = path.join(tempDir('pi-textfile-notdir-'), 'regular');
  fs.writeFileSync(file, '');
  const flag = '--textfile.directory DIR (the directory node_exporter reads with --collector.textfile.directory)';
  assert.throws(() => checkOutputDirectory(file), (err: Error) => err.message === `output directory ${file} is not a directory; pass ${flag}`);
  assert.throws(() => checkOutputDirectory(path.join(file, 'sub')), (err: Error) => err.message === `output directory ${path.join(file, 'sub')} is not a directory; pass ${flag}`);
  assert.throws(() => checkOutputDirectory(path.join(file, 'x', 'y').replace('regular', 'missing')), /does not exist; create it \(sudo mkdir -p .*\) or pass/);
  assert.throws(() => writeAtomically(path.join(file, 'pi-textfile.prom'), 'x\n'), (err: Error) => err.message === `cannot write ${path.join(file, 'pi-textfile.prom')}: is not a directory`);
});

test('a read-only file system under the writer: one line, one try, no temporary file', { skip: needsRoot }, () => {
  const dir = tempDir('pi-textfile-rofs-');
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir]).status, 0);
  try {
    let tries = 0;
    const suffix = (): string => {
      tries++;
      return '0123456789abcdef';
    };
    const file = path.join(dir, 'pi-textfile.prom');
    assert.throws(() => writeAtomically(file, 'x\n', suffix), (err: Error) => err.message === `cannot write ${file}: is on a read-only file system; the previous file (if any) was left as it was`);
    assert.equal(tries, 1);
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('what the kernel is asked (strace): the temporary file created exclusively, mode 0644, fsynced and closed before the rename; then the directory fsynced', { skip: !fs.existsSync('/usr/bin/strace') && !process.env.CI && 'needs strace' }, () => {
  const dir = tempDir('pi-textfile-strace-');
  const log = path.join(tempDir('pi-textfile-strace-log-'), 'trace');
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fchmod,fsync,close,rename', '-o', log, process.execPath, BUNDLE, 'collect', '--once', '--textfile.directory', dir, ...boardArgs('not-a-pi')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const calls = fs.readFileSync(log, 'utf8').split('\n').map((l) => l.replace(/^\d+\s+/, '').replace(/\)\s+= /, ') = '));
  const tmp = /^openat\(AT_FDCWD, "(.*\/\.pi-textfile\.prom\.[0-9a-f]{16}\.tmp)", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0600\) = (\d+)$/;
  const at = calls.findIndex((l) => tmp.test(l));
  assert.ok(at >= 0, 'the temporary file opened with O_CREAT|O_EXCL|O_NOFOLLOW, 0600');
  const [, name, fd] = tmp.exec(calls[at]!)!;
  const after = calls.slice(at + 1);
  const index = (line: string): number => after.indexOf(line);
  const order = [`fchmod(${fd}, 0644) = 0`, `fsync(${fd}) = 0`, `close(${fd}) = 0`, `rename("${name}", "${path.join(dir, 'pi-textfile.prom')}") = 0`];
  for (const line of order) assert.ok(index(line) >= 0, `${line} in ${after.slice(0, 8).join(' | ')}`);
  assert.deepEqual(order.map(index), [...order.map(index)].sort((a, b) => a - b), 'in that order');
  const dirOpen = new RegExp(`^openat\\(AT_FDCWD, "${dir.replace(/[/.-]/g, '\\$&')}", O_RDONLY\\|O_CLOEXEC\\|O_DIRECTORY\\) = (\\d+)$`);
  const d = after.findIndex((l) => dirOpen.test(l));
  assert.ok(d > index(order[3]!), 'the directory opened (O_DIRECTORY) after the rename');
  const dirFd = dirOpen.exec(after[d]!)![1];
  assert.equal(after[d + 1], `fsync(${dirFd}) = 0`);
  assert.equal(after[d + 2], `close(${dirFd}) = 0`);
});

test('a full disk: the write fails in one line, the previous file stays whole, no temporary file is left', { skip: needsRoot }, () => {
  const dir = tempDir('pi-textfile-full-');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(mount.status, 0, mount.stderr);
  try {
    const file = path.join(dir, 'pi-textfile.prom');
    writeAtomically(file, 'previous\n');
    assert.throws(() => writeAtomically(file, 'x'.repeat(256 * 1024)), (err: Error) => {
      assert.equal(err.message, `cannot write ${file}: no space left on device; the previous file (if any) was left as it was`);
      return true;
    });
    assert.equal(fs.readFileSync(file, 'utf8'), 'previous\n');
    assert.deepEqual(fs.readdirSync(dir), ['pi-textfile.prom']);
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('a rename that fails after the temporary file was written: one line, the previous file whole, the temporary file gone', () => {
  const dir = tempDir('pi-textfile-rename-');
  const file = path.join(dir, 'pi-textfile.prom');
  writeAtomically(file, 'previous\n');
  // The target turns into a non-empty directory between the check and the rename, as a racing
  // process could make it: rename(2) refuses to replace it.
  let made = false;
  const suffix = (): string => {
    if (!made) {
      fs.rmSync(file);
      fs.mkdirSync(file);
      fs.writeFileSync(path.join(file, 'inside'), '');
      made = true;
    }
    return '0123456789abcdef';
  };
  assert.throws(() => writeAtomically(file, 'new\n', suffix), /^UserError|cannot write/);
  assert.deepEqual(fs.readdirSync(dir), ['pi-textfile.prom'], 'no temporary file left');
  assert.ok(fs.statSync(file).isDirectory());
});

test('a read-only file system: the message says so, and does not advise chown', { skip: needsRoot }, () => {
  const dir = tempDir('pi-textfile-ro-');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(mount.status, 0, mount.stderr);
  try {
    const r = collectInto(dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `pi-textfile: output directory ${dir} is on a read-only file system; remount it read-write, or pass --textfile.directory DIR (the directory node_exporter reads with --collector.textfile.directory)\n`);
  } finally {
    spawnSync('umount', [dir]);
  }
});

/** A copy of a fixture board's vcgencmd answers, with some replaced. */
function answers(board: string, replace: Record<string, string>): string {
  const dir = tempDir('pi-textfile-answers-');
  for (const f of fs.readdirSync(path.join(BOARDS, board, 'vcgencmd'))) {
    if (f.endsWith('.txt')) fs.copyFileSync(path.join(BOARDS, board, 'vcgencmd', f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(BOARDS, '..', 'fake-vcgencmd.sh'), path.join(dir, 'vcgencmd'));
  for (const [key, text] of Object.entries(replace)) fs.writeFileSync(path.join(dir, `${key}.txt`), text);
  return path.join(dir, 'vcgencmd');
}

function withVcgencmd(board: string, vcgencmd: string): string[] {
  const args = boardArgs(board);
  args[args.indexOf('--vcgencmd') + 1] = vcgencmd;
  return args;
}

test('a duplicate rail line in pmic_read_adc fails the pmic collector only; the file is written, and the loop would go on', () => {
  const capture = fs.readFileSync(path.join(BOARDS, 'pi5', 'vcgencmd', 'pmic_read_adc.txt'), 'utf8');
  const first = capture.split('\n')[0]!;
  const dir = tempDir('pi-textfile-pmic-');
  const r = runBundle(['collect', '--once', '--textfile.directory', dir, ...withVcgencmd('pi5', answers('pi5', { pmic_read_adc: `${first}\n${capture}` }))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^pi-textfile: warning: collector pmic failed: the hardware reported rpi_pmic_current_amperes\{rail="3V7_WL_SW"\} twice; nothing of this collector was kept\n$/);
  const text = fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8');
  assert.match(text, /^pi_textfile_collector_success\{collector="pmic"\} 0$/m);
  assert.doesNotMatch(text, /^rpi_pmic_/m);
  assert.match(text, /^rpi_board_info\{/m);
});

test('a per-boot answer that did not parse (vcgencmd version answering nothing) is not cached: the next run asks again', () => {
  const proc = procWithBootId('pi4b');
  const dir = tempDir('pi-textfile-out-');
  const first = runBundle(['collect', '--once', '--textfile.directory', dir, ...withVcgencmd('pi4b', answers('pi4b', { version: '' })), '--path.procfs', proc]);
  assert.equal(first.code, 0);
  assert.match(first.stderr, /collector firmware failed: unexpected output from vcgencmd version: ""/);
  assert.doesNotMatch(fs.readFileSync(path.join(dir, '.pi-textfile.prom.boot-cache.json'), 'utf8'), /"version"/);
  const second = runBundle(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b'), '--path.procfs', proc]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stderr, '');
  assert.match(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), /^rpi_firmware_info\{version="/m);
});

test('a boot id that cannot be read (a directory there): the run is uncached, not an internal error', () => {
  const proc = tempDir('pi-textfile-proc-');
  fs.cpSync(path.join(BOARDS, 'pi4b', 'proc'), proc, { recursive: true });
  fs.mkdirSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), { recursive: true });
  const dir = tempDir('pi-textfile-out-');
  const r = runBundle(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b'), '--path.procfs', proc]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(!fs.existsSync(path.join(dir, '.pi-textfile.prom.boot-cache.json')));
  assert.match(fs.readFileSync(path.join(dir, 'pi-textfile.prom'), 'utf8'), /^rpi_firmware_info\{/m);
});

test('doctor\'s scrape reads a bounded answer in a bounded time: an endless /metrics fails the check, it does not hold doctor', async () => {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => {
    res.writeHead(200);
    const chunk = 'x'.repeat(64 * 1024);
    const pump = (): void => {
      while (res.write(chunk)) if (res.destroyed) return;
      res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const started = Date.now();
    const check = await checkScrape(`http://127.0.0.1:${port}/metrics`, 'pi-textfile.prom');
    assert.equal(check.status, 'FAIL');
    assert.match(check.text, /answered more than 16 MiB, which no node_exporter does/);
    assert.ok(Date.now() - started < 6000);
  } finally {
    server.closeAllConnections?.();
    server.close();
  }
});

test('the boot cache keeps only the answers this run asked for: keys an older version wrote are pruned', () => {
  const proc = procWithBootId('pi4b');
  const dir = tempDir('pi-textfile-out-');
  const cache = path.join(dir, '.pi-textfile.prom.boot-cache.json');
  fs.writeFileSync(cache, JSON.stringify({ bootId: 'b1', entries: { 'otp_dump': 'a key no collector asks for', 'get_mem arm': 'arm=768M' } }));
  const r = runBundle(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b'), '--path.procfs', proc]);
  assert.equal(r.code, 0, r.stderr);
  const saved = JSON.parse(fs.readFileSync(cache, 'utf8')) as { entries: Record<string, string> };
  const deviceTree = ['chosen/bootloader/boot-mode', 'chosen/bootloader/build-timestamp', 'chosen/bootloader/build_timestamp', 'chosen/bootloader/partition', 'chosen/bootloader/tryboot', 'chosen/bootloader/version', 'model'].map((p) => `device-tree/${p}`);
  assert.deepEqual(Object.keys(saved.entries).sort(), ['bootloader_version', ...deviceTree, 'get_config int', 'measure_volts sdram_c', 'measure_volts sdram_i', 'measure_volts sdram_p', 'version']);
});
