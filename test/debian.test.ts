// The Debian package (scripts/deb.mjs): lintian, its contents, and the package installed into a
// Debian bookworm root (mmdebstrap) that a real systemd then boots (systemd-nspawn --boot, no
// network). Inside, test/fixtures/container/driver.js plays the operator; this file checks what it
// saw. The container's /proc and /sys are this machine's, so a drop-in points collect at the pi4b
// fixture board, and a stand-in vcgencmd answers from its captures.
//
// The bookworm root is built once and kept as a tarball in /var/cache/pi-textfile-tests (about
// 25-50 s to build, 300 MB); every run unpacks a fresh copy.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BOARDS, parseSeries, requireTool, ROOT, tempDir } from './helpers';

const tools = [requireTool('dpkg-deb', 'dpkg'), requireTool('lintian', 'lintian'), requireTool('mmdebstrap', 'mmdebstrap'), requireTool('systemd-nspawn', 'systemd-container')];
const notRoot = process.getuid?.() !== 0 && 'needs root (mmdebstrap, systemd-nspawn)';
if (notRoot && process.env.CI === 'true') throw new Error('the Debian package tests need root in CI');
const skip = tools.map((t) => t.skip).find((s) => s !== false) ?? notRoot;

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const UPGRADE = `${VERSION}+upgrade1`;
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'prometheus-node-exporter', 'nodejs', 'procps'];
const CACHE = '/var/cache/pi-textfile-tests';

let debs: { dir: string; deb: string; upgrade: string } | undefined;
function buildDebs(): { dir: string; deb: string; upgrade: string } {
  if (debs === undefined) {
    const dir = tempDir('pi-textfile-deb-');
    const build = (...args: string[]): string => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'deb.mjs'), '--out', dir, ...args], { encoding: 'utf8', timeout: 120_000 }).trim();
    debs = { dir, deb: build(), upgrade: build('--version', UPGRADE) };
  }
  return debs;
}

test('the package is lintian-clean (pedantic, info and experimental tags; each override justified in the package)', { skip }, () => {
  const { deb } = buildDebs();
  const r = spawnSync('lintian', ['--pedantic', '--display-info', '--display-experimental', '--fail-on', 'error,warning,info,pedantic', deb], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0, r.stderr);
});

test('the package holds the program, its units, the link into node_exporter\'s directory, the schema, an example and the docs', { skip }, () => {
  const { deb } = buildDebs();
  const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [mode, owner] = l.split(/\s+/);
      const name = l.slice(l.indexOf('./') + 1);
      return `${mode} ${owner} ${name}`;
    })
    .filter((l) => !l.startsWith('d'))
    .sort();
  assert.deepEqual(listing, [
    '-rw-r--r-- root/root /lib/systemd/system/pi-textfile-daemon.service',
    '-rw-r--r-- root/root /lib/systemd/system/pi-textfile.service',
    '-rw-r--r-- root/root /lib/systemd/system/pi-textfile.timer',
    '-rw-r--r-- root/root /usr/lib/pi-textfile/deploy.cjs',
    '-rw-r--r-- root/root /usr/lib/pi-textfile/gen-config.cjs',
    '-rw-r--r-- root/root /usr/lib/pi-textfile/main.cjs',
    '-rw-r--r-- root/root /usr/lib/pi-textfile/program.cjs',
    '-rw-r--r-- root/root /usr/lib/sysusers.d/pi-textfile.conf',
    '-rw-r--r-- root/root /usr/share/doc/pi-textfile/README.md.gz',
    '-rw-r--r-- root/root /usr/share/doc/pi-textfile/changelog.gz',
    '-rw-r--r-- root/root /usr/share/doc/pi-textfile/copyright',
    '-rw-r--r-- root/root /usr/share/lintian/overrides/pi-textfile',
    '-rw-r--r-- root/root /usr/share/man/man1/pi-textfile.1.gz',
    '-rw-r--r-- root/root /usr/share/pi-textfile/cluster.example.yml',
    '-rw-r--r-- root/root /usr/share/pi-textfile/cluster.schema.json',
    '-rwxr-xr-x root/root /usr/bin/pi-textfile',
    'lrwxrwxrwx root/root /var/lib/prometheus/node-exporter/pi-textfile.prom -> /run/pi-textfile/pi-textfile.prom',
  ]);
  const field = (f: string): string => execFileSync('dpkg-deb', ['-f', deb, f], { encoding: 'utf8' }).trim();
  assert.equal(field('Depends'), 'nodejs (>= 18.17)');
  assert.equal(field('Recommends'), 'prometheus-node-exporter');
  assert.equal(field('Architecture'), 'all');
  // The units start the packaged program; nothing points into /usr/local.
  const unit = execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./lib/systemd/system/pi-textfile.service`, 'sh', deb], { encoding: 'utf8' });
  assert.match(unit, /^ExecStart=\/usr\/bin\/pi-textfile collect --once --textfile\.directory=\/run\/pi-textfile$/m);
  assert.doesNotMatch(unit, /\/usr\/local/);
  // The same tree gives the same bytes.
  const again = buildDebs().dir;
  const second = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'deb.mjs'), '--out', tempDir('pi-textfile-deb2-')], { encoding: 'utf8' }).trim();
  assert.equal(sha256(second), sha256(path.join(again, path.basename(second))));
});

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The host's apt sources, for mmdebstrap to use the same mirror as apt-get here. */
function aptSources(): string[] {
  const files = ['/etc/apt/sources.list', ...fs.readdirSync('/etc/apt/sources.list.d').map((f) => `/etc/apt/sources.list.d/${f}`)];
  return files.filter((f) => /(\.list|\.sources)$/.test(f) && fs.existsSync(f) && /^\s*(deb\s|Types:\s*deb\b)/m.test(fs.readFileSync(f, 'utf8')));
}

/** A bookworm root with systemd, node_exporter and Debian's nodejs, as a cached tarball. */
function bookwormTarball(): string {
  const key = createHash('sha256').update(PACKAGES.join(',')).digest('hex').slice(0, 12);
  const tarball = path.join(CACHE, `bookworm-${key}.tar`);
  if (fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(CACHE, { recursive: true });
  const partial = `${tarball}.partial`;
  const r = spawnSync('mmdebstrap', ['--quiet', '--format=tar', '--variant=minbase', `--include=${PACKAGES.join(',')}`, 'bookworm', partial, ...aptSources()], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `mmdebstrap: ${r.stderr}`);
  fs.renameSync(partial, tarball);
  return tarball;
}

const NSPAWN = ['--quiet', '--private-network', '--register=no', '--keep-unit', '--setenv=SYSTEMD_COLORS=0'];

test('booted under a real systemd: installed in the image, the timer runs as its system user, node_exporter serves the series; the daemon, an upgrade, purge, and apt install on a running system', { skip, timeout: 900_000 }, async (t) => {
  const { dir, deb, upgrade } = buildDebs();
  const tarball = bookwormTarball();
  const root = tempDir('pi-textfile-bookworm-');
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  execFileSync('tar', ['-xf', tarball, '-C', root], { timeout: 300_000 });

  // The fixture Pi: its /proc and /sys captures, and vcgencmd answering from its captures.
  const board = path.join(BOARDS, 'pi4b');
  fs.mkdirSync(path.join(root, 'srv', 'board'), { recursive: true });
  for (const d of ['proc', 'sys', 'vcgencmd']) fs.cpSync(path.join(board, d), path.join(root, 'srv', 'board', d), { recursive: true, verbatimSymlinks: true });
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'fake-vcgencmd.sh'), path.join(root, 'srv', 'board', 'vcgencmd', 'vcgencmd'));
  fs.chmodSync(path.join(root, 'srv', 'board', 'vcgencmd', 'vcgencmd'), 0o755);
  fs.writeFileSync(path.join(root, 'usr', 'bin', 'vcgencmd'), '#!/bin/sh\nexec /srv/board/vcgencmd/vcgencmd "$@"\n', { mode: 0o755 });
  const boardArgs = `--path.procfs=/srv/board/proc --path.sysfs=/srv/board/sys ${fs.readFileSync(path.join(board, 'args'), 'utf8').trim()}`;
  // The administrator's drop-ins (systemctl edit), made before the package exists.
  const dropIn = (unit: string, exec: string): void => {
    fs.mkdirSync(path.join(root, 'etc', 'systemd', 'system', `${unit}.d`), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc', 'systemd', 'system', `${unit}.d`, 'board.conf'), `[Service]\nExecStart=\nExecStart=${exec} ${boardArgs}\n`);
  };
  dropIn('pi-textfile.service', '/usr/bin/pi-textfile collect --once --textfile.directory=/run/pi-textfile');
  // The daemon as packaged (its Node flags included), every 5 s.
  const daemonExec = /^ExecStart=(.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'systemd', 'pi-textfile-daemon.service'), 'utf8'))![1]!;
  assert.match(daemonExec, / --interval=30s /);
  dropIn('pi-textfile-daemon.service', daemonExec.replace('/usr/local/bin/pi-textfile ', '/usr/bin/pi-textfile ').replace(' --interval=30s ', ' --interval=5s '));
  // The driver, started once the system is up; it powers the container off when done.
  fs.writeFileSync(
    path.join(root, 'etc', 'systemd', 'system', 'package-e2e.service'),
    '[Unit]\nDescription=pi-textfile package test driver\nAfter=multi-user.target\n\n[Service]\nType=exec\nExecStart=/usr/bin/node /srv/test/driver.js\n\n[Install]\nWantedBy=multi-user.target\n',
  );
  fs.symlinkSync('/etc/systemd/system/package-e2e.service', path.join(root, 'etc', 'systemd', 'system', 'multi-user.target.wants', 'package-e2e.service'));
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'container', 'driver.js'), path.join(shared, 'driver.js'));
  fs.copyFileSync(deb, path.join(shared, 'pi-textfile.deb'));
  fs.copyFileSync(upgrade, path.join(shared, 'upgrade.deb'));
  const bind = `--bind=${shared}:/srv/test`;

  // Installed into the image (no systemd running there): enabled, not started.
  const image = spawnSync('systemd-nspawn', [...NSPAWN, '-D', root, bind, 'dpkg', '-i', '/srv/test/pi-textfile.deb'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(image.status, 0, image.stderr + image.stdout);
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/timers.target.wants/pi-textfile.timer')), '/lib/systemd/system/pi-textfile.timer');
  assert.equal(fs.existsSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/pi-textfile-daemon.service')), false);
  assert.equal(fs.existsSync(path.join(root, 'run/pi-textfile')), false, 'nothing ran in the image');

  // Boot it; the driver powers it off. Bounded: 5 minutes, then the container is killed.
  const t0 = Date.now();
  const console_ = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('systemd-nspawn', [...NSPAWN, '-D', root, bind, '--boot'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  const bootSeconds = (Date.now() - t0) / 1000;
  const resultFile = path.join(shared, 'result.json');
  assert.ok(fs.existsSync(resultFile), `the driver wrote no result (exit ${console_.code}):\n${console_.output.slice(-4000)}`);
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Record<string, any>;
  t.diagnostic(`container: ${bootSeconds.toFixed(1)} s from boot to power-off; driver ${r.seconds} s; apt install to metrics ${r.install?.secondsToMetrics} s`);
  assert.deepEqual(r.errors, [], JSON.stringify(r, null, 2).slice(0, 6000));
  assert.equal(console_.code, 0);
  assert.equal(r.systemRunning, 'running', r.failedUnits);

  // The timer fired at least twice, about 30 s apart; every run succeeded as the system user, silently.
  const [first, second] = r.timerRuns as number[];
  const gap = (second! - first!) / 1e6;
  assert.ok(gap > 28 && gap < 36, `runs ${gap} s apart`);
  assert.deepEqual(r.service, { Result: 'success', ExecMainStatus: '0', User: 'pi-textfile', DynamicUser: 'no' });
  assert.match(r.user, /^pi-textfile:x:\d+:\d+:pi-textfile, Raspberry Pi hardware metrics:\/nonexistent:\/usr\/sbin\/nologin\n$/);
  assert.deepEqual(r.serviceJournal, { warnings: '', output: '' });
  assert.deepEqual(r.timerJournal, { warnings: '', output: '' });
  assert.equal(r.promMode, '644');

  // node_exporter serves what the fixture board's golden says, every collector successful.
  const served = parseSeries(r.metrics as string);
  const golden = parseSeries(fs.readFileSync(path.join(board, 'expected.prom'), 'utf8'));
  for (const [series, value] of golden) {
    if (series.startsWith('pi_textfile_collector_duration_seconds')) continue;
    assert.equal(served.get(series), value, series);
  }
  assert.equal(served.get('node_textfile_scrape_error{}'), 0);

  // doctor, as root in the container: every check that applies passes.
  assert.equal(r.doctor.status, 0, r.doctor.stdout + r.doctor.stderr);
  // Every check passes but one warning: Debian's own nodejs is built without V8's startup snapshot.
  const doctorLines = (r.doctor.stdout as string).split('\n').filter(Boolean);
  assert.deepEqual(doctorLines.map((l) => l.split(':')[0]), ['warn node', 'ok   vcgencmd', 'ok   node_exporter', 'ok   textfile', 'ok   scrape', 'pi-textfile doctor']);
  assert.match(doctorLines[0]!, /built without V8's startup snapshot and code cache, .*\(sudo systemctl disable --now pi-textfile\.timer; sudo systemctl enable --now pi-textfile-daemon\.service\)$/);
  assert.equal(doctorLines[5], 'pi-textfile doctor: all checks passed');
  t.diagnostic(`doctor in the container:\n${r.doctor.stdout}`);

  // The long-running service: writes every 5 s (the drop-in's interval), the timer stopped.
  assert.equal(r.daemon.enable, 0);
  assert.equal(r.daemon.writes, 2);
  assert.equal(r.daemon.show.ActiveState, 'active');
  assert.equal(r.daemon.show.NRestarts, '0');
  assert.equal(r.daemon.timer, 'inactive');
  assert.deepEqual(r.daemon.journal, { warnings: '', output: '' });

  // The upgrade kept the drop-ins and the disabled timer, and restarted the daemon.
  assert.equal(r.upgrade.status, 0, r.upgrade.stderr);
  assert.equal(r.upgrade.version, UPGRADE);
  assert.deepEqual(r.upgrade.dropIns, ['/etc/systemd/system/pi-textfile-daemon.service.d/board.conf', '/etc/systemd/system/pi-textfile.service.d/board.conf']);
  assert.equal(r.upgrade.timerEnabled, 'disabled');
  assert.notEqual(r.upgrade.daemonPid, r.daemon.show.MainPID);
  assert.notEqual(r.upgrade.daemonPid, '0');

  // Purge: nothing of ours is left but the administrator's drop-ins.
  const dropInsOnly = ['/etc/systemd/system/pi-textfile-daemon.service.d', '/etc/systemd/system/pi-textfile.service.d'];
  assert.equal(r.purge.status, 0, r.purge.stderr);
  assert.deepEqual(r.purge.stillThere, []);
  assert.deepEqual(r.purge.ownDirectories, []);
  assert.deepEqual(r.purge.leftovers, dropInsOnly);
  assert.equal(r.purge.unitFiles, '');
  assert.deepEqual(r.purge.processes, []);
  assert.equal(r.purge.user, '', 'the system user is gone');

  // apt install on the running system: metrics in node_exporter within a minute.
  assert.equal(r.install.status, 0, r.install.stderr);
  assert.ok(r.install.secondsToMetrics < 60, `${r.install.secondsToMetrics} s`);
  assert.equal(r.install.purge, 0);
  assert.deepEqual(r.install.leftovers, dropInsOnly);
});
