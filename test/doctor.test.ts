// doctor against a real prometheus-node-exporter on loopback: healthy, and each failure it checks
// (node_exporter not running, wrong textfile directory, stale file, vcgencmd not permitted, the
// link's target gone), asserting the line and the exit code. The layout is install's: the file is
// written into a runtime directory and linked into node_exporter's textfile directory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { DoctorDeps } from '../src/commands/doctor';
import { COLLECTORS } from '../src/collectors/index';
import { formatAge } from '../src/deploy/checks/check';
import { checkTextfile } from '../src/deploy/checks/textfile';
import { boardArgs, BOARDS, freePort, httpGet, parseSeries, requireTool, ROOT, runBundle, runMain, table, tempDir, waitFor } from './helpers';

const exporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');
const children: ChildProcess[] = [];
let work = '';
let port = 0;

/** A directory every user may read (the vcgencmd check runs as nobody when the tests are root). */
function openDir(prefix: string): string {
  const dir = tempDir(prefix);
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A fake vcgencmd answering get_throttled with `capture` and `status`. */
function vcgencmd(capture: string, status: number): string {
  const dir = openDir('pi-textfile-doctor-vc-');
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'fake-vcgencmd.sh'), path.join(dir, 'vcgencmd'));
  fs.chmodSync(path.join(dir, 'vcgencmd'), 0o755);
  fs.copyFileSync(capture, path.join(dir, 'get_throttled.txt'));
  fs.chmodSync(path.join(dir, 'get_throttled.txt'), 0o644);
  if (status !== 0) fs.writeFileSync(path.join(dir, 'get_throttled.exit'), `${status}\n`, { mode: 0o644 });
  return path.join(dir, 'vcgencmd');
}

const healthyVcgencmd = (): string => vcgencmd(path.join(BOARDS, 'pi4b', 'vcgencmd', 'get_throttled.txt'), 0);

async function startExporter(textfileDir: string): Promise<{ child: ChildProcess; port: number }> {
  const p = await freePort();
  const child = spawn(exporter.path!, [`--web.listen-address=127.0.0.1:${p}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfileDir}`], { stdio: 'ignore' });
  children.push(child);
  await waitFor(async () => ((await httpGet(`http://127.0.0.1:${p}/metrics`)).status === 200 ? true : undefined), 15_000, 'node_exporter to listen');
  return { child, port: p };
}

/**
 * A /proc that shows this file's node_exporters and nothing else of the machine's (other tests
 * start node_exporters meanwhile, and the machine may run its own): for each one still running,
 * its cmdline and its exe link, as the kernel shows them.
 */
function ownProc(): string {
  const proc = fs.mkdtempSync(path.join(work, 'proc-'));
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${c.pid}/cmdline`);
      const exe = fs.readlinkSync(`/proc/${c.pid}/exe`);
      fs.mkdirSync(path.join(proc, String(c.pid)));
      fs.writeFileSync(path.join(proc, String(c.pid), 'cmdline'), cmdline);
      fs.symlinkSync(exe, path.join(proc, String(c.pid), 'exe'));
    } catch {
      // it ended meanwhile
    }
  }
  return proc;
}

/** Deps: this file's node_exporters as /proc (ownProc), this Node, a unit directory with install's service, no defaults file. */
function deps(over: Partial<DoctorDeps> = {}): Partial<DoctorDeps> {
  const units = path.join(work, 'units');
  return {
    procfs: ownProc(),
    node: { version: 'v20.20.2', execPath: '/usr/bin/node', snapshot: true, codeCache: true },
    rootfs: path.join(work, 'no-root'),
    unitDirectories: [units, path.join(units, 'package')],
    ...over,
  };
}

async function doctor(args: string[], over: Partial<DoctorDeps> = {}): Promise<{ code: number; lines: string[] }> {
  const r = await runMain(['doctor', ...args], { doctor: deps(over) });
  assert.equal(r.stderr, '');
  return { code: r.code, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

const line = (lines: string[], name: string): string => lines.find((l) => l.slice(5).startsWith(`${name}: `)) ?? `(no ${name} line)`;
const url = (p: number): string => `http://127.0.0.1:${p}/metrics`;

function writeFresh(): void {
  const r = runBundle(['collect', '--once', '--textfile.directory', path.join(work, 'run'), ...boardArgs('pi4b')]);
  assert.equal(r.code, 0, r.stderr);
}

before(async () => {
  if (exporter.skip) return;
  work = openDir('pi-textfile-doctor-');
  for (const d of ['run', 'textfile', 'other', 'units']) fs.mkdirSync(path.join(work, d), { mode: 0o755 });
  fs.symlinkSync(path.join(work, 'run', 'pi-textfile.prom'), path.join(work, 'textfile', 'pi-textfile.prom'));
  fs.copyFileSync(path.join(ROOT, 'systemd', 'pi-textfile.service'), path.join(work, 'units', 'pi-textfile.service'));
  writeFresh();
  port = (await startExporter(path.join(work, 'textfile'))).port;
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
});

test('healthy: every check passes, exit 0', { skip: exporter.skip }, async () => {
  writeFresh();
  const { code, lines } = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port)]);
  assert.equal(code, 0, lines.join('\n'));
  assert.equal(lines.length, 6);
  assert.equal(lines[0], 'ok   node: Node v20.20.2 at /usr/bin/node, with the startup snapshot and code cache');
  assert.match(line(lines, 'vcgencmd'), /^ok {3}vcgencmd: \S+\/vcgencmd get_throttled answered "throttled=0x80008" when run as /);
  assert.match(line(lines, 'node_exporter'), new RegExp(`^ok {3}node_exporter: pid \\d+ \\(\\S*prometheus-node-exporter\\) on port ${port} reads textfiles from ${work}/textfile \\(from its command line\\)$`));
  assert.match(line(lines, 'textfile'), new RegExp(`^ok {3}textfile: ${work}/textfile/pi-textfile.prom -> ${work}/run/pi-textfile.prom, written \\d+s ago; all ${COLLECTORS.length - boardArgs('pi4b').filter((a) => a.startsWith('--no-collector.')).length} collectors succeeded$`));
  assert.match(line(lines, 'scrape'), new RegExp(`^ok {3}scrape: ${url(port)}: node_textfile_scrape_error 0, \\d+ pi-textfile series$`));
  assert.equal(lines[5], 'pi-textfile doctor: all checks passed');
});

test('a Node without the startup snapshot is a warning, not a failure', { skip: exporter.skip }, async () => {
  writeFresh();
  const { code, lines } = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port)], {
    node: { version: 'v18.19.0', execPath: '/usr/bin/node', snapshot: false, codeCache: false },
  });
  assert.equal(code, 0);
  assert.equal(
    lines[0],
    "warn node: Node v18.19.0 at /usr/bin/node was built without V8's startup snapshot and code cache, so each collect run costs about 3x the CPU of an official build; " +
      'fix: install Node from nodejs.org or NodeSource, or keep one process running instead of one per 30 s (sudo pi-textfile install --daemon)',
  );
  const old = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port)], { node: { version: 'v18.12.1', execPath: '/usr/bin/node', snapshot: true, codeCache: true } });
  assert.equal(old.code, 1);
  assert.match(old.lines[0]!, /^FAIL node: Node v18\.12\.1 at \/usr\/bin\/node is older than 18\.17, the oldest pi-textfile supports; fix: /);
});

test('vcgencmd not permitted: FAIL with the firmware\'s message and the fix, exit 1', { skip: exporter.skip }, async () => {
  writeFresh();
  const denied = vcgencmd(path.join(ROOT, 'test', 'fixtures', 'errors', 'cant-open-dev-vcio.txt'), 255);
  const { code, lines } = await doctor(['--vcgencmd', denied, '--node-exporter.url', url(port)]);
  assert.equal(code, 1);
  const root = process.getuid?.() === 0;
  assert.equal(
    line(lines, 'vcgencmd'),
    `FAIL vcgencmd: ${denied} cannot reach the firmware when run as ${root ? 'an unprivileged user in group video, as the service runs' : 'this user'}: "Can't open device file: /dev/vcio" (status 255); fix: ` +
      (root
        ? 'make the firmware devices belong to group video with mode 0660 (ls -l /dev/vcio /dev/vchiq; Raspberry Pi OS does it with a udev rule: KERNEL=="vcio", GROUP="video", MODE="0660")'
        : 'sudo usermod -aG video "$USER", then log in again (the service itself gets group video); or run sudo pi-textfile doctor'),
  );
  assert.equal(lines.filter((l) => l.startsWith('FAIL')).length, 1, lines.join('\n'));
  assert.equal(lines.at(-1), 'pi-textfile doctor: 1 of 5 checks failed');
  const missing = await doctor(['--vcgencmd', path.join(work, 'no-such-vcgencmd'), '--node-exporter.url', url(port)]);
  assert.equal(missing.code, 1);
  assert.equal(line(missing.lines, 'vcgencmd'), `FAIL vcgencmd: ${path.join(work, 'no-such-vcgencmd')} (--vcgencmd) does not exist; fix: sudo apt install raspi-utils (libraspberrypi-bin on older releases), or pass --vcgencmd PATH`);
});

test('stale file: FAIL with its age and where to look, exit 1', { skip: exporter.skip }, async () => {
  writeFresh();
  const file = path.join(work, 'run', 'pi-textfile.prom');
  const tenMinutesAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 600_000);
  fs.utimesSync(file, tenMinutesAgo, tenMinutesAgo);
  const { code, lines } = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port)]);
  assert.equal(code, 1);
  assert.match(
    line(lines, 'textfile'),
    new RegExp(
      `^FAIL textfile: ${work}/textfile/pi-textfile.prom -> ${file} was last written 10m(?:\\d+s)? ago \\(${tenMinutesAgo.toISOString().slice(0, 16)}:\\d\\d\\.\\d{3}Z\\), longer than --max-age 2m: node_exporter keeps serving these old values; ` +
        'fix: systemctl status pi-textfile.timer; journalctl -u pi-textfile.service$',
    ),
  );
  assert.match(line(lines, 'scrape'), /^ok /, 'node_exporter still serves the stale file without complaint');
  // Through the link, node_exporter reports the target's mtime: what PiTextfileStale alerts on.
  const served = parseSeries((await httpGet(url(port))).body);
  assert.equal(served.get(`node_textfile_mtime_seconds{file="${work}/textfile/pi-textfile.prom"}`), Math.floor(tenMinutesAgo.getTime() / 1000));
  const generous = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port), '--max-age', '15m']);
  assert.equal(generous.code, 0);
});

test('the link\'s target is gone (after a reboot, before the first run): FAIL, exit 1', { skip: exporter.skip }, async () => {
  const file = path.join(work, 'run', 'pi-textfile.prom');
  fs.rmSync(file);
  try {
    const { code, lines } = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(port)]);
    assert.equal(code, 1);
    assert.equal(
      line(lines, 'textfile'),
      `FAIL textfile: ${work}/textfile/pi-textfile.prom -> ${file}: the link's target does not exist; pi-textfile has not written it since boot; fix: systemctl status pi-textfile.timer; journalctl -u pi-textfile.service`,
    );
    assert.match(line(lines, 'scrape'), /^FAIL scrape: \S+: node_textfile_scrape_error 1: node_exporter cannot read or parse a file in its textfile directory; fix: /);
  } finally {
    writeFresh();
  }
});

test('node_exporter reads another directory: FAIL naming both directories, exit 1', { skip: exporter.skip }, async () => {
  writeFresh();
  const other = await startExporter(path.join(work, 'other'));
  const { code, lines } = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(other.port)]);
  assert.equal(code, 1);
  assert.match(line(lines, 'node_exporter'), new RegExp(`^ok {3}node_exporter: pid ${other.child.pid} .* reads textfiles from ${work}/other `));
  assert.equal(
    line(lines, 'textfile'),
    `FAIL textfile: no pi-textfile.prom in ${work}/other, the directory node_exporter reads (node_exporter pid ${other.child.pid}'s command line); pi-textfile.service writes /run/pi-textfile/pi-textfile.prom; ` +
      `fix: sudo pi-textfile install --textfile.directory=${work}/other (it links pi-textfile.prom there)`,
  );
  assert.equal(line(lines, 'scrape'), `FAIL scrape: ${url(other.port)}: node_textfile_scrape_error 0, but no pi-textfile series: node_exporter does not read pi-textfile.prom; fix: see the textfile check above`);
  other.child.kill('SIGKILL');
  await new Promise((r) => other.child.once('exit', r));

  // ...and once it is stopped: not running.
  const gone = await doctor(['--vcgencmd', healthyVcgencmd(), '--node-exporter.url', url(other.port)]);
  assert.equal(gone.code, 1);
  assert.match(
    line(gone.lines, 'node_exporter'),
    new RegExp(`^FAIL node_exporter: (not running: no prometheus-node-exporter or node_exporter process; fix: sudo apt install prometheus-node-exporter; sudo systemctl enable --now prometheus-node-exporter|none of the running node_exporters listens on port ${other.port} \\(found pid \\d+ on port \\d+.*\\); fix: pass --node-exporter.url with the port node_exporter listens on)$`),
  );
  assert.equal(line(gone.lines, 'scrape'), `FAIL scrape: cannot fetch ${url(other.port)}: connection refused; fix: start node_exporter, or pass --node-exporter.url with the address it listens on`);
});

test('formatAge', () => {
  assert.equal(formatAge(0), '0s');
  assert.equal(formatAge(12_400), '12s');
  assert.equal(formatAge(600_000), '10m');
  assert.equal(formatAge(3_723_000), '1h2m3s');
});

test('the textfile check finds the service where install puts it, else where the Debian package does; install\'s wins', () => {
  const base = tempDir('pi-textfile-units-');
  const [etc, lib] = [path.join(base, 'etc'), path.join(base, 'lib')];
  fs.mkdirSync(etc);
  fs.mkdirSync(lib);
  const unit = (dir: string, textfileDir: string): void =>
    fs.writeFileSync(path.join(dir, 'pi-textfile.service'), `[Service]\nExecStart=/usr/bin/pi-textfile collect --once --textfile.directory=${textfileDir}\n`);
  const check = (): string => {
    const c = checkTextfile({ textfileName: 'pi-textfile.prom', maxAgeMs: 60_000, unitDirectories: [etc, lib], wallMs: () => Date.now() }, path.join(base, 'empty'), 'test');
    return `${c.text}; ${c.fix ?? ''}`;
  };
  unit(lib, '/run/from-package');
  assert.match(check(), /; pi-textfile\.service writes \/run\/from-package\/pi-textfile\.prom;/);
  unit(etc, '/run/from-install');
  assert.match(check(), /; pi-textfile\.service writes \/run\/from-install\/pi-textfile\.prom;/);
});

table<{ source: string; url: string }>('doctor refuses a --node-exporter.url that is not an http:// URL: one line, exit 1, no stack', [
  { source: 'an unclosed IPv6 bracket', url: 'http://[' },
  { source: 'https (node_exporter serves plain http here)', url: 'https://127.0.0.1:9100/metrics' },
  { source: 'no scheme', url: '127.0.0.1:9100' },
  { source: 'no host', url: 'http:///metrics' },
  { source: 'a port that is not a number', url: 'http://127.0.0.1:9l00/metrics' },
], async (row) => {
  const r = await runMain(['doctor', '--node-exporter.url', row.url]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `pi-textfile: --node-exporter.url ${JSON.stringify(row.url)} must be an http:// URL, like http://127.0.0.1:9100/metrics\n`);
});
