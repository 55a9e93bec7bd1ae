// Deployment: the systemd units pass systemd's own checks (verify, and an exposure of 2.0 or
// lower), every shell line passes shellcheck, the cron jobs run and never overlap, and
// install/uninstall are golden in --dry-run and, run for real into a temporary root, leave
// nothing behind.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { DeployDeps } from '../src/deploy/actions';
import { BOARDS, boardArgs, BUNDLE, copyProgram, requireTool, ROOT, runBundle, runMain, tempDir, UPDATE, waitFor } from './helpers';

const systemdAnalyze = requireTool('systemd-analyze', 'systemd');
const systemctl = requireTool('systemctl', 'systemd');
const shellcheck = requireTool('shellcheck', 'shellcheck');
const UNITS = ['pi-textfile.service', 'pi-textfile.timer', 'pi-textfile-daemon.service'];
const SERVICES = UNITS.filter((u) => u.endsWith('.service'));
const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'install');

/** The shipped units, with ExecStart at this checkout's bundle (systemd-analyze wants it to exist). */
function runnableShippedUnits(): string {
  const dir = tempDir('pi-textfile-units-');
  for (const u of UNITS) {
    const text = fs.readFileSync(path.join(ROOT, 'systemd', u), 'utf8');
    assert.ok(u.endsWith('.timer') || /^ExecStart=(\/usr\/bin\/env node( --\S+)+ )?\/usr\/local\/bin\/pi-textfile collect /m.test(text), `${u} starts /usr/local/bin/pi-textfile`);
    fs.writeFileSync(path.join(dir, u), text.split('ExecStart=/usr/local/bin/pi-textfile ').join(`ExecStart=${BUNDLE} `));
  }
  return dir;
}

function verify(dir: string): void {
  const r = spawnSync(systemdAnalyze.path!, ['verify', ...UNITS.map((u) => path.join(dir, u))], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.equal(`${r.stdout}${r.stderr}`, '', 'systemd-analyze verify has no warnings');
}

function exposure(file: string): number {
  const r = spawnSync(systemdAnalyze.path!, ['security', '--offline=yes', file], { encoding: 'utf8' });
  const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(`${r.stdout}${r.stderr}`);
  assert.ok(m, `${r.stdout}${r.stderr}`);
  const level = Number(m[1]);
  console.log(`systemd-analyze security --offline=yes ${path.basename(file)}: exposure ${level.toFixed(1)}`);
  return level;
}

/** Every entry under `dir`: `relative/path type` plus the target of links, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(path.join(dir, r))}`);
      else if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(r);
      } else out.push(`${r} (${fs.readFileSync(path.join(dir, r), 'utf8').length} bytes)`);
    }
  };
  walk('');
  return out.sort();
}

/** A root like a Pi's with node_exporter installed and nothing of ours. */
function piRoot(): string {
  const root = tempDir('pi-textfile-root-');
  for (const d of ['etc/systemd/system/multi-user.target.wants', 'etc/systemd/system/timers.target.wants', 'etc/sysusers.d', 'etc/default', 'var/lib/prometheus/node-exporter', 'run']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  // What the Debian packages put there: other units enabled, node_exporter's defaults file.
  fs.symlinkSync('/lib/systemd/system/prometheus-node-exporter.service', path.join(root, 'etc/systemd/system/multi-user.target.wants/prometheus-node-exporter.service'));
  fs.symlinkSync('/lib/systemd/system/apt-daily.timer', path.join(root, 'etc/systemd/system/timers.target.wants/apt-daily.timer'));
  fs.writeFileSync(path.join(root, 'etc/default/prometheus-node-exporter'), '# Set the command-line arguments to pass to the server.\nARGS=""\n');
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n');
  return root;
}

test('the shipped units pass systemd-analyze verify', { skip: systemdAnalyze.skip }, () => {
  verify(runnableShippedUnits());
});

test('the shipped services have an exposure level of 2.0 or lower (systemd-analyze security --offline)', { skip: systemdAnalyze.skip }, () => {
  const dir = runnableShippedUnits();
  for (const s of SERVICES) assert.ok(exposure(path.join(dir, s)) <= 2.0, `${s} exposure`);
});

test('the services run unprivileged, write only /run/pi-textfile, and reach only vcgencmd\'s devices', () => {
  for (const s of SERVICES) {
    const text = fs.readFileSync(path.join(ROOT, 'systemd', s), 'utf8');
    for (const line of [
      'User=pi-textfile', 'Group=pi-textfile', 'SupplementaryGroups=video', 'RuntimeDirectory=pi-textfile', 'RuntimeDirectoryPreserve=yes', 'ProtectSystem=strict',
      'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateNetwork=yes', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=', 'DevicePolicy=closed',
      'DeviceAllow=/dev/vcio rw', 'MemoryMax=96M',
    ]) {
      assert.ok(text.split('\n').includes(line), `${s} has ${line}`);
    }
    assert.match(text, /^ExecStart=(\/usr\/bin\/env node( --\S+)+ )?\S+ collect .*--textfile\.directory=\/run\/pi-textfile$/m);
    assert.doesNotMatch(text, /^ReadWritePaths=/m, `${s} has no other writable path`);
    // A dynamic user's preserved runtime directory is kept under /run/private (0700), where
    // node_exporter cannot read the file (seen under a real systemd: test/debian.test.ts).
    assert.doesNotMatch(text, /^DynamicUser=/m, s);
  }
  const service = fs.readFileSync(path.join(ROOT, 'systemd', 'pi-textfile.service'), 'utf8');
  assert.match(service, /^Type=oneshot$/m);
  assert.match(service, /^TimeoutStartSec=20s$/m);
  const timer = fs.readFileSync(path.join(ROOT, 'systemd', 'pi-textfile.timer'), 'utf8');
  for (const line of ['OnBootSec=5s', 'OnUnitActiveSec=30s', 'AccuracySec=1s', 'WantedBy=timers.target']) assert.ok(timer.split('\n').includes(line), line);
});

/** The cron jobs: [user, command] for each line that is neither a comment nor a variable. */
function cronJobs(): { schedule: string; user: string; command: string }[] {
  return fs
    .readFileSync(path.join(ROOT, 'cron', 'pi-textfile'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^[A-Z_]+=/.test(l))
    .map((l) => {
      const m = /^(@reboot|(?:\S+\s+){4}\S+)\s+(\S+)\s+(.*)$/.exec(l);
      assert.ok(m, `cron line: ${l}`);
      return { schedule: m[1]!.replace(/\s+/g, ' '), user: m[2]!, command: m[3]! };
    });
}

function shellFiles(): string[] {
  const files = spawnSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter((f) => f !== '');
  return files.filter((f) => {
    // The fixture boards' vcgencmd are links to test/fixtures/fake-vcgencmd.sh, checked as itself.
    if (fs.lstatSync(path.join(ROOT, f)).isSymbolicLink()) return false;
    if (f.endsWith('.sh')) return true;
    try {
      return /^#!.*\b(ba|da)?sh\b/.test(fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n')[0] ?? '');
    } catch {
      return false;
    }
  });
}

test('shellcheck passes on every shell file and on every cron job', { skip: shellcheck.skip }, () => {
  const files = shellFiles();
  for (const expected of ['.ci/run', 'test/run.sh', 'test/fixtures/fake-vcgencmd.sh']) assert.ok(files.includes(expected), `${expected} is checked`);
  const jobs = path.join(tempDir(), 'cron-jobs.sh');
  fs.writeFileSync(jobs, `#!/bin/sh\n${cronJobs().map((j) => j.command).join('\n')}\n`);
  const r = spawnSync(shellcheck.path!, ['--severity=style', ...files.map((f) => path.join(ROOT, f)), jobs], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  console.log(`shellcheck: ${files.length} shell files and ${cronJobs().length} cron jobs, no findings`);
});

test('the cron file runs collect twice a minute, 30 s apart, as an unprivileged user, after creating /run/pi-textfile at boot', () => {
  const jobs = cronJobs();
  assert.deepEqual(jobs.map((j) => [j.schedule, j.user]), [['@reboot', 'root'], ['* * * * *', 'pi-textfile'], ['* * * * *', 'pi-textfile']]);
  assert.equal(jobs[0]!.command, 'install -d -m 0755 -o pi-textfile -g pi-textfile /run/pi-textfile');
  assert.equal(jobs[2]!.command, `sleep 30; ${jobs[1]!.command}`);
  assert.match(jobs[1]!.command, /^flock -n \/run\/pi-textfile\/\.lock timeout 20 pi-textfile collect --once --textfile\.directory=\/run\/pi-textfile /);
  assert.ok(!path.basename('cron/pi-textfile').includes('.'), 'cron ignores /etc/cron.d files whose names contain a dot');
});

test('the cron job writes the file, and a second run while one holds the lock does nothing (no overlap, no pile-up)', async () => {
  const work = tempDir('pi-textfile-cron-');
  const bin = path.join(work, 'bin');
  const out = path.join(work, 'run');
  fs.mkdirSync(bin);
  fs.mkdirSync(out);
  const log = path.join(work, 'syslog');
  // pi-textfile on PATH is the bundle pointed at the Pi 4 fixture; logger appends to a file.
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(path.join(bin, 'pi-textfile'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(BUNDLE)} "$@" ${boardArgs('pi4b').map(quote).join(' ')}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'logger'), `#!/bin/sh\ncat >> ${quote(log)}\n`, { mode: 0o755 });
  const command = cronJobs()[1]!.command.split('/run/pi-textfile').join(out);
  const env = { ...process.env, PATH: `${bin}:/usr/bin:/bin` };
  const first = spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  const file = path.join(out, 'pi-textfile.prom');
  const withoutDurations = (text: string): string => text.replace(/^(pi_textfile_collector_duration_seconds\{[^}]*\}) \S+$/gm, '$1');
  assert.equal(withoutDurations(fs.readFileSync(file, 'utf8')), withoutDurations(fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8')));

  // Hold the lock as a slow run would, then start the job: it must give up at once.
  const holder = spawn('flock', [path.join(out, '.lock'), 'sleep', '5'], { stdio: 'ignore' });
  await waitFor(async () => (spawnSync('flock', ['-n', path.join(out, '.lock'), 'true']).status === 1 ? true : undefined), 5000, 'the lock to be held');
  const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  fs.utimesSync(file, old, old);
  const started = Date.now();
  const second = spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' });
  holder.kill();
  assert.ok(Date.now() - started < 3000, 'the skipped run returned at once');
  assert.equal(second.status, 0);
  assert.equal(fs.statSync(file).mtimeMs, old.getTime(), 'the skipped run did not write');
  assert.equal(fs.readFileSync(log, 'utf8'), '', 'nothing to log');
});

/** Deploy dependencies for in-process runs: fixed paths, root, systemd running, a fake /proc. */
function fakeDeps(procfs: string, overrides: Partial<DeployDeps> = {}): Partial<DeployDeps> {
  return {
    nodePath: '/usr/bin/node',
    bundlePath: '/usr/local/lib/node_modules/pi-textfile/dist/pi-textfile.cjs',
    uid: 0,
    procfs,
    systemdRunning: () => true,
    run: () => {
      throw new Error('nothing may run in these tests');
    },
    ...overrides,
  };
}

/**
 * The program copied where a service can see it (not under /home, /root, /tmp, ...), wherever this
 * checkout lives: install refuses to point units at a hidden path, with --root too.
 */
let installable: string | undefined;
function installableBundle(): string {
  if (installable === undefined) {
    const dir = fs.mkdtempSync('/dev/shm/pi-textfile-test-');
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'dist'));
    installable = copyProgram(path.join(dir, 'dist'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return installable;
}

/** An executable file of that name, owned by whoever runs the tests, as /proc/PID/exe points at one. */
function fakeExecutable(name: string): string {
  const file = path.join(tempDir('pi-textfile-bin-'), name);
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

/** A /proc with one node_exporter reading `textfileDir`, as Debian starts it. */
function fakeProc(textfileDir: string): string {
  const proc = tempDir('pi-textfile-proc-');
  fs.mkdirSync(path.join(proc, '812'));
  fs.writeFileSync(path.join(proc, '812', 'cmdline'), ['/usr/bin/prometheus-node-exporter', `--collector.textfile.directory=${textfileDir}`, '--no-collector.systemd', ''].join('\0'));
  fs.symlinkSync(fakeExecutable('prometheus-node-exporter'), path.join(proc, '812', 'exe'));
  fs.mkdirSync(path.join(proc, '1'));
  fs.writeFileSync(path.join(proc, '1', 'cmdline'), '/sbin/init\0');
  return proc;
}

test('install --dry-run: golden output, and nothing changes', { skip: fs.existsSync('/etc/systemd/system/pi-textfile.service') && 'pi-textfile is installed on this machine' }, async () => {
  const textfileDir = tempDir('pi-textfile-ne-');
  const r = await runMain(['install', '--dry-run'], { deploy: fakeDeps(fakeProc(textfileDir)) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const text = r.stdout.split(textfileDir).join('<node_exporter textfile directory>');
  const golden = path.join(GOLDEN, 'install-dry-run.txt');
  if (UPDATE) fs.writeFileSync(golden, text);
  assert.equal(text, fs.readFileSync(golden, 'utf8'));
  assert.deepEqual(fs.readdirSync(textfileDir), [], 'a dry run changes nothing');
  // The units it would write are the shipped ones, started with this Node and this bundle.
  assert.match(text, /\| ExecStart=\/usr\/bin\/node \/usr\/local\/lib\/node_modules\/pi-textfile\/dist\/pi-textfile\.cjs collect --once --textfile\.directory=\/run\/pi-textfile\n/);
  assert.match(text, /\n {2}run systemctl daemon-reload\n {2}run systemctl disable --now pi-textfile-daemon\.service\n {2}run systemctl enable --now pi-textfile\.timer\n$/);
});

test('install refuses, with a fix and exit 2: not root, no systemd, a binary the service cannot see, a file in the way; uninstall where the package is installed', async () => {
  const textfileDir = tempDir('pi-textfile-ne-');
  const proc = fakeProc(textfileDir);
  const cases: [Partial<DeployDeps>, string[], RegExp][] = [
    [{ uid: 1000 }, ['install'], /^pi-textfile: install changes \/etc\/systemd\/system: run it as root \(sudo pi-textfile install\)\n$/],
    [{ systemdRunning: () => false }, ['install'], /^pi-textfile: systemd is not running on this machine, .*copy cron\/pi-textfile .* to \/etc\/cron\.d\//],
    [{ bundlePath: '/home/pi/.nvm/versions/node/v20.20.2/lib/node_modules/pi-textfile/dist/pi-textfile.cjs' }, ['install', '--dry-run'], /^pi-textfile: pi-textfile is at \/home\/pi\/\.nvm\/\S+, under \/home, which the service cannot see .*install pi-textfile system-wide: the Debian package \(npm run deb in a clone, then sudo apt install \.\/pi-textfile_VERSION_all\.deb\), or the tarball \(npm pack, then sudo npm install -g \.\/pi-textfile-VERSION\.tgz with a system Node\)/],
    [{ nodePath: '/tmp/node' }, ['install', '--dry-run'], /^pi-textfile: Node is at \/tmp\/node, under \/tmp, /],
    // Into an image (--root) as well: its units would start a path its service cannot see.
    [{ bundlePath: '/tmp/checkout/dist/pi-textfile.cjs' }, ['install', '--dry-run', '--root', tempDir('pi-textfile-image-')], /^pi-textfile: pi-textfile is at \/tmp\/checkout\/dist\/pi-textfile\.cjs, under \/tmp, /],
  ];
  // A --root that is no system (a typo would create the tree and enable a timer in it); the Debian
  // package already installed (units in /etc would shadow the package's).
  const typo = path.join(tempDir('pi-textfile-typo-'), 'mnt', 'imgae');
  cases.push([{}, ['install', '--dry-run', '--root', typo], new RegExp(`^pi-textfile: --root ${typo} does not look like a system root \\(it has no etc/os-release or usr/lib/os-release\\); check the path, or pass --force to install into it anyway\n$`)]);
  const packaged = piRoot();
  fs.mkdirSync(path.join(packaged, 'lib/systemd/system'), { recursive: true });
  fs.writeFileSync(path.join(packaged, 'lib/systemd/system/pi-textfile.service'), '[Service]\n');
  cases.push([{}, ['install', '--dry-run', '--root', packaged], /^pi-textfile: the pi-textfile Debian package is installed \(\/lib\/systemd\/system\/pi-textfile\.service\): its timer already runs collect, and install would shadow its units; change settings with sudo systemctl edit pi-textfile\.service, or remove the package first \(sudo apt remove pi-textfile\)\n$/]);
  // uninstall, where the package is installed: it would take away the user its timer runs as.
  for (const dryRun of [['--dry-run'], []]) {
    cases.push([{}, ['uninstall', ...dryRun, '--root', packaged], /^pi-textfile: the pi-textfile Debian package is installed \(\/lib\/systemd\/system\/pi-textfile\.service\): uninstall would remove the system user and the directory its timer runs with; remove the package instead \(sudo apt remove pi-textfile; sudo apt purge pi-textfile also removes its settings\)\n$/]);
  }
  for (const [deps, argv, expected] of cases) {
    const r = await runMain(argv, { deploy: fakeDeps(proc, deps) });
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, expected);
    assert.equal(r.stdout, '');
  }
  const forced = await runMain(['install', '--dry-run', '--root', typo, '--force'], { deploy: fakeDeps(proc) });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, new RegExp(`^  write ${typo}/etc/systemd/system/pi-textfile\\.service$`, 'm'));
  assert.equal(fs.existsSync(typo), false, 'a dry run creates nothing');
  fs.writeFileSync(path.join(textfileDir, 'pi-textfile.prom'), 'my_own_series 1\n');
  const r = await runMain(['install', '--dry-run'], { deploy: fakeDeps(proc) });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `pi-textfile: ${textfileDir}/pi-textfile.prom exists and was not written by pi-textfile; move it away, or pass --textfile.directory DIR (node_exporter's textfile directory, found from node_exporter pid 812's command line)\n`);
  assert.equal(fs.readFileSync(path.join(textfileDir, 'pi-textfile.prom'), 'utf8'), 'my_own_series 1\n', 'left alone');
});

test('install and uninstall for real into a temporary root: units verified, idempotent, and nothing left behind', { skip: systemctl.skip || systemdAnalyze.skip }, () => {
  const root = piRoot();
  const before = tree(root);
  const install = runBundle(['install', '--root', root], { bundle: installableBundle() });
  assert.equal(install.code, 0, install.stderr);
  const unitDir = path.join(root, 'etc/systemd/system');
  assert.equal(
    install.stdout,
    [
      `write ${root}/etc/sysusers.d/pi-textfile.conf`,
      ...UNITS.map((u) => `write ${unitDir}/${u}`),
      `link ${root}/var/lib/prometheus/node-exporter/pi-textfile.prom -> /run/pi-textfile/pi-textfile.prom`,
      `run systemctl --root=${root} disable pi-textfile-daemon.service`,
      `run systemctl --root=${root} enable pi-textfile.timer`,
      `pi-textfile: installed under ${root}; pi-textfile.timer is enabled and starts at boot`,
      '',
    ].join('\n'),
  );
  assert.equal(fs.readlinkSync(path.join(unitDir, 'timers.target.wants/pi-textfile.timer')), '/etc/systemd/system/pi-textfile.timer');
  for (const u of UNITS) assert.equal(fs.statSync(path.join(unitDir, u)).mode & 0o777, 0o644, u);
  // The units install wrote start this Node and this bundle, and pass systemd's checks.
  const service = fs.readFileSync(path.join(unitDir, 'pi-textfile.service'), 'utf8');
  assert.ok(service.includes(`\nExecStart=${process.execPath} ${installableBundle()} collect --once --textfile.directory=/run/pi-textfile\n`), service);
  assert.ok(service.includes('\n# pi-textfile install linked: /var/lib/prometheus/node-exporter/pi-textfile.prom\n'));
  verify(unitDir);
  for (const s of SERVICES) assert.ok(exposure(path.join(unitDir, s)) <= 2.0);

  const again = runBundle(['install', '--root', root], { bundle: installableBundle() });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.split('\n').filter((l) => l.startsWith('unchanged ')).length, 5, again.stdout);
  assert.doesNotMatch(again.stdout, /^(write|link) /m);

  // Switching to the long-running service disables the timer.
  const daemon = runBundle(['install', '--root', root, '--daemon'], { bundle: installableBundle() });
  assert.equal(daemon.code, 0, daemon.stderr);
  assert.ok(!fs.existsSync(path.join(unitDir, 'timers.target.wants/pi-textfile.timer')));
  assert.equal(fs.readlinkSync(path.join(unitDir, 'multi-user.target.wants/pi-textfile-daemon.service')), '/etc/systemd/system/pi-textfile-daemon.service');

  // What a running system adds: the runtime directory with the file and the boot cache.
  fs.mkdirSync(path.join(root, 'run/pi-textfile'));
  fs.writeFileSync(path.join(root, 'run/pi-textfile/pi-textfile.prom'), 'pi_textfile_collector_success{collector="board"} 1\n');
  fs.writeFileSync(path.join(root, 'run/pi-textfile/.pi-textfile.prom.boot-cache.json'), '{}');

  // ...and, once booted, the system user that systemd-sysusers created from install's file.
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\npi-textfile:x:996:996:pi-textfile, Raspberry Pi hardware metrics:/nonexistent:/usr/sbin/nologin\n');
  const dry = runBundle(['uninstall', '--root', root, '--dry-run'], { bundle: installableBundle() });
  fs.rmSync(path.join(root, 'etc/passwd'));
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(
    dry.stdout,
    [
      'pi-textfile uninstall --dry-run: nothing is changed; these are the actions, in order:',
      `  run systemctl --root=${root} disable pi-textfile.timer pi-textfile-daemon.service`,
      ...UNITS.map((u) => `  remove ${unitDir}/${u}`),
      `  remove ${root}/var/lib/prometheus/node-exporter/pi-textfile.prom`,
      `  remove ${root}/run/pi-textfile`,
      `  remove ${root}/etc/sysusers.d/pi-textfile.conf`,
      `  run userdel --root ${root} pi-textfile`,
      '',
    ].join('\n'),
  );
  const uninstall = runBundle(['uninstall', '--root', root], { bundle: installableBundle() });
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.deepEqual(tree(root), before, 'uninstall leaves the root as it was before install');
  const nothing = runBundle(['uninstall', '--root', root], { bundle: installableBundle() });
  assert.equal(nothing.code, 0);
  assert.equal(nothing.stdout, "pi-textfile uninstall: nothing to remove; pi-textfile's units are not installed\n");
});

test('uninstall removes only install\'s link: a file someone put in its place stays', { skip: systemctl.skip }, () => {
  const root = piRoot();
  assert.equal(runBundle(['install', '--root', root], { bundle: installableBundle() }).code, 0);
  const link = path.join(root, 'var/lib/prometheus/node-exporter/pi-textfile.prom');
  fs.rmSync(link);
  fs.writeFileSync(link, 'someone_else 1\n');
  const r = runBundle(['uninstall', '--root', root], { bundle: installableBundle() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(link, 'utf8'), 'someone_else 1\n');
});

test('a process that only calls itself node_exporter (a user\'s impostor) is never believed: install links where the real one reads', { skip: process.getuid?.() !== 0 && 'needs root to plant another user\'s process' }, async () => {
  const textfileDir = tempDir('pi-textfile-ne-');
  const proc = fakeProc(textfileDir);
  // The real one listens on 9200; the impostors claim 9100, where pi-textfile would look first.
  fs.writeFileSync(path.join(proc, '812', 'cmdline'), ['/usr/bin/prometheus-node-exporter', `--collector.textfile.directory=${textfileDir}`, '--web.listen-address=:9200', ''].join('\0'));
  const impostors: Array<[string, string]> = [['4242', fakeExecutable('node_exporter')], ['4343', '/bin/sleep']];
  for (const [pid, exe] of impostors) {
    fs.mkdirSync(path.join(proc, pid));
    fs.writeFileSync(path.join(proc, pid, 'cmdline'), ['node_exporter', '--collector.textfile.directory=/etc', '--web.listen-address=:9100', ''].join('\0'));
    fs.symlinkSync(exe, path.join(proc, pid, 'exe'));
  }
  fs.chownSync(path.join(proc, '4242'), 1000, 1000); // run by a login user, from that user's own copy
  fs.chownSync(impostors[0]![1], 1000, 1000);
  const r = await runMain(['install', '--dry-run'], { deploy: fakeDeps(proc) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`link ${textfileDir}/pi-textfile\\.prom -> /run/pi-textfile/pi-textfile\\.prom`));
  assert.doesNotMatch(r.stdout, /\/etc\/pi-textfile\.prom/);
});

test('a Node or pi-textfile path with a newline would add lines to the unit: refused', async () => {
  const proc = fakeProc(tempDir('pi-textfile-ne-'));
  for (const deps of [{ bundlePath: '/usr/local/lib/node_modules/pi-textfile/dist/pi-textfile.cjs\nExecStartPre=/bin/sh -c id' }, { nodePath: '/usr/bin/node\n[Service]' }]) {
    const r = await runMain(['install', '--dry-run'], { deploy: fakeDeps(proc, deps) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pi-textfile: (Node|pi-textfile) is at ".*\\n.*", a path with a control character, which a systemd unit cannot hold/);
    assert.equal(r.stdout, '');
  }
});

test('a preview works anywhere: install --dry-run and uninstall --dry-run on a machine without systemd', async () => {
  const proc = fakeProc(tempDir('pi-textfile-ne-'));
  const install = await runMain(['install', '--dry-run'], { deploy: fakeDeps(proc, { systemdRunning: () => false, uid: 1000 }) });
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /^pi-textfile install --dry-run: nothing is changed; these are the actions, in order:\n/);
  assert.match(install.stdout, /run systemctl enable --now pi-textfile\.timer/);
  const uninstall = await runMain(['uninstall', '--dry-run'], { deploy: fakeDeps(proc, { systemdRunning: () => false, uid: 1000 }) });
  assert.equal(uninstall.code, 0, uninstall.stderr);
  const real = await runMain(['install'], { deploy: fakeDeps(proc, { systemdRunning: () => false }) });
  assert.equal(real.code, 2);
  assert.match(real.stderr, /systemd is not running on this machine/);
});
