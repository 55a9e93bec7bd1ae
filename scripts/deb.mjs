// Builds the Debian package pi-textfile_VERSION_all.deb from the built program (npm run build),
// with dpkg-deb alone: on any machine, offline, without debhelper.
//
//   node scripts/deb.mjs [--out DIR] [--version VERSION]      (npm run deb)
//
// What goes where:
//   /usr/lib/pi-textfile/            the program (dist/*.cjs)
//   /usr/bin/pi-textfile             its entry point (run by the `node` on PATH), loading it from there
//   /lib/systemd/system/             the units of systemd/, starting /usr/bin/pi-textfile
//   /usr/lib/sysusers.d/pi-textfile.conf   the system user they run as
//   /var/lib/prometheus/node-exporter/pi-textfile.prom -> /run/pi-textfile/pi-textfile.prom
//   /usr/share/pi-textfile/          the cluster description's JSON Schema and an example
//   /usr/share/doc/pi-textfile/      README, copyright, changelog
//   /usr/share/man/man1/pi-textfile.1.gz   every command's --help, as a man page
// The maintainer scripts do what Debian's helpers generate for a timer: enable it on install
// (unless the administrator disabled it before), start it only where systemd runs (not in a
// chroot or an image build), stop it and forget it on remove.
//
// The Maintainer field: DEBFULLNAME and DEBEMAIL, as Debian's tools read them; otherwise the
// author of the checked-out commit. File dates: SOURCE_DATE_EPOCH, otherwise that commit's date,
// so that the same tree gives the same package.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const version = arg('--version') ?? pkg.version;
const out = path.resolve(arg('--out') ?? path.join(root, 'build'));
const git = (...args) => {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

const maintainer = process.env.DEBEMAIL
  ? `${process.env.DEBFULLNAME ?? 'pi-textfile maintainers'} <${process.env.DEBEMAIL}>`
  : git('log', '-1', '--format=%an <%ae>');
if (!/^[^<>\n]+ <[^<>@\s]+@[^<>\s]+>$/.test(maintainer)) {
  console.error('scripts/deb.mjs: no maintainer: set DEBFULLNAME and DEBEMAIL (or build from a git checkout)');
  process.exit(2);
}
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? (git('log', '-1', '--format=%ct') || Math.floor(Date.now() / 1000)));
process.env.SOURCE_DATE_EPOCH = String(epoch);

for (const f of ['pi-textfile.cjs', 'main.cjs']) {
  try {
    lstatSync(path.join(root, 'dist', f));
  } catch {
    console.error(`scripts/deb.mjs: dist/${f} is missing: run npm run build first`);
    process.exit(2);
  }
}

const stage = path.join(out, `pi-textfile_${version}_all`);
rmSync(stage, { recursive: true, force: true });
const put = (rel, content, mode = 0o644) => {
  const file = path.join(stage, rel);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, mode);
};
const gz = (text) => gzipSync(Buffer.from(text), { level: 9 });

// The program; its entry point is the command itself, loading the rest from /usr/lib.
for (const f of readdirSync(path.join(root, 'dist')).filter((n) => n.endsWith('.cjs') && n !== 'pi-textfile.cjs').sort()) {
  put(`usr/lib/pi-textfile/${f}`, readFileSync(path.join(root, 'dist', f)));
}
const launcher = readFileSync(path.join(root, 'dist', 'pi-textfile.cjs'), 'utf8');
const mainBeside = "require('path').join(__dirname, 'main.cjs')";
if (!launcher.includes(mainBeside)) throw new Error('dist/pi-textfile.cjs does not load main.cjs from beside itself');
put('usr/bin/pi-textfile', launcher.replace(mainBeside, "'/usr/lib/pi-textfile/main.cjs'"), 0o755);

// The units, starting the packaged program; their documentation is the man page.
for (const f of readdirSync(path.join(root, 'systemd')).filter((n) => /\.(service|timer)$/.test(n)).sort()) {
  const unit = readFileSync(path.join(root, 'systemd', f), 'utf8')
    .replace(/^(ExecStart=(?:\/usr\/bin\/env node(?: --\S+)+ )?)\/usr\/local\/bin\/pi-textfile /gm, '$1/usr/bin/pi-textfile ')
    .replaceAll('Documentation=file:/usr/local/lib/node_modules/pi-textfile/README.md', 'Documentation=man:pi-textfile(1) file:/usr/share/doc/pi-textfile/README.md.gz');
  if (unit.includes('/usr/local/')) throw new Error(`systemd/${f} still names /usr/local after rewriting`);
  put(`lib/systemd/system/${f}`, unit);
}

put('usr/lib/sysusers.d/pi-textfile.conf', readFileSync(path.join(root, 'systemd', 'pi-textfile.sysusers')));

// node_exporter reads the file through this link; the service writes its target on tmpfs.
mkdirSync(path.join(stage, 'var/lib/prometheus/node-exporter'), { recursive: true });
symlinkSync('/run/pi-textfile/pi-textfile.prom', path.join(stage, 'var/lib/prometheus/node-exporter/pi-textfile.prom'));

put('usr/share/pi-textfile/cluster.schema.json', readFileSync(path.join(root, 'schemas/cluster.schema.json')));
put('usr/share/pi-textfile/cluster.example.yml', readFileSync(path.join(root, 'schemas/cluster.example.yml')));

// Documentation.
const doc = 'usr/share/doc/pi-textfile';
put(`${doc}/README.md.gz`, gz(readFileSync(path.join(root, 'README.md'), 'utf8')));
const date = new Date(epoch * 1000).toUTCString().replace(/(\d\d:\d\d:\d\d) GMT$/, '$1 +0000');
put(`${doc}/changelog.gz`, gz(`pi-textfile (${version}) unstable; urgency=medium\n\n  * Release ${version}.\n\n -- ${maintainer}  ${date}\n`));
put(
  `${doc}/copyright`,
  [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: pi-textfile',
    '',
    'Files: *',
    `Copyright: ${new Date(epoch * 1000).getUTCFullYear()} the pi-textfile authors`,
    'License: MIT',
    '',
    'Files: usr/lib/pi-textfile/*.cjs',
    `Copyright: ${new Date(epoch * 1000).getUTCFullYear()} the pi-textfile authors, and the authors of the libraries bundled into it`,
    ' (commander, yaml, ajv, fast-glob, write-file-atomic and their dependencies), each',
    ' named with its license at the end of the file that holds it',
    'License: MIT',
    '',
    'License: MIT',
    ' Permission is hereby granted, free of charge, to any person obtaining a copy of this',
    ' software and associated documentation files (the "Software"), to deal in the Software',
    ' without restriction, including without limitation the rights to use, copy, modify, merge,',
    ' publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons',
    ' to whom the Software is furnished to do so, subject to the following conditions:',
    ' .',
    ' The above copyright notice and this permission notice shall be included in all copies or',
    ' substantial portions of the Software.',
    ' .',
    ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,',
    ' INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR',
    ' PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE',
    ' FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR',
    ' OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER',
    ' DEALINGS IN THE SOFTWARE.',
    '',
  ].join('\n'),
);
put('usr/share/man/man1/pi-textfile.1.gz', gz(manPage()));
put(
  'usr/share/lintian/overrides/pi-textfile',
  [
    '# No init.d script: collect is no daemon but a short run every 30 seconds, and where systemd',
    '# does not run, the README\'s cron.d variant starts it. The long-running service is only an',
    '# alternative to the timer, for systemd.',
    'pi-textfile: package-supports-alternative-init-but-no-init.d-script [lib/systemd/system/pi-textfile-daemon.service]',
    '',
  ].join('\n'),
);

// Control files.
const units = 'pi-textfile.timer pi-textfile.service pi-textfile-daemon.service';
const installedKiB = Math.ceil(sizeOf(stage) / 1024);
put(
  'DEBIAN/control',
  [
    'Package: pi-textfile',
    `Version: ${version}`,
    'Architecture: all',
    `Maintainer: ${maintainer}`,
    `Installed-Size: ${installedKiB}`,
    `Depends: nodejs (${pkg.engines.node.replace(/^>=/, '>= ')})`,
    'Recommends: prometheus-node-exporter',
    'Suggests: prometheus',
    'Section: admin',
    'Priority: optional',
    'Description: Raspberry Pi hardware metrics for Prometheus node_exporter',
    ' pi-textfile reads what node_exporter cannot see on a Raspberry Pi: the',
    ' firmware\'s throttling and under-voltage flags (now and since boot), measured',
    ' clocks, rail voltages, the Pi 5 PMIC\'s rails, the board\'s identity, firmware,',
    ' bootloader and storage. A systemd timer writes them every 30 seconds into',
    ' the directory that node_exporter\'s textfile collector reads.',
    ' .',
    ' It also turns a short YAML description of a Pi cluster into a validated',
    ' prometheus.yml, alert rules and node_exporter arguments.',
    '',
  ].join('\n'),
);
const script = (lines) => ['#!/bin/sh', 'set -e', '', ...lines, '', 'exit 0', ''].join('\n');
put(
  'DEBIAN/postinst',
  script([
    'if [ "$1" = configure ]; then',
    '\t# The system user the units run as (/usr/lib/sysusers.d/pi-textfile.conf).',
    '\tif command -v systemd-sysusers >/dev/null; then',
    '\t\tsystemd-sysusers pi-textfile.conf',
    '\telif ! getent passwd pi-textfile >/dev/null; then',
    '\t\tuseradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pi-textfile',
    '\tfi',
    'fi',
    'if [ "$1" = configure ] || [ "$1" = abort-upgrade ] || [ "$1" = abort-deconfigure ] || [ "$1" = abort-remove ]; then',
    '\t# The timer is enabled on a first install, and on upgrades unless the administrator',
    '\t# disabled it (deb-systemd-helper remembers). The long-running service is never enabled here.',
    '\tdeb-systemd-helper unmask pi-textfile.timer >/dev/null || true',
    '\tif deb-systemd-helper --quiet was-enabled pi-textfile.timer; then',
    '\t\tdeb-systemd-helper enable pi-textfile.timer >/dev/null || true',
    '\telse',
    '\t\tdeb-systemd-helper update-state pi-textfile.timer >/dev/null || true',
    '\tfi',
    '\tdeb-systemd-helper update-state pi-textfile-daemon.service >/dev/null || true',
    '\t# Started only where systemd runs: not in a chroot or an image build.',
    '\tif [ -d /run/systemd/system ]; then',
    '\t\tsystemctl --system daemon-reload >/dev/null || true',
    '\t\tif [ -n "$2" ]; then',
    '\t\t\tdeb-systemd-invoke try-restart pi-textfile-daemon.service >/dev/null || true',
    '\t\t\tdeb-systemd-invoke restart pi-textfile.timer >/dev/null || true',
    '\t\telse',
    '\t\t\tdeb-systemd-invoke start pi-textfile.timer >/dev/null || true',
    '\t\tfi',
    '\tfi',
    'fi',
  ]),
  0o755,
);
put(
  'DEBIAN/prerm',
  script([
    'if [ "$1" = remove ] && [ -d /run/systemd/system ]; then',
    `\tdeb-systemd-invoke stop ${units} >/dev/null || true`,
    'fi',
  ]),
  0o755,
);
put(
  'DEBIAN/postrm',
  script([
    'if [ -d /run/systemd/system ]; then',
    '\tsystemctl --system daemon-reload >/dev/null || true',
    'fi',
    'if [ "$1" = remove ] || [ "$1" = purge ]; then',
    '\t# Removed means disabled: the links and the remembered state go with the units. Drop-ins',
    '\t# made with `systemctl edit` are the administrator\'s and stay.',
    '\tif command -v deb-systemd-helper >/dev/null; then',
    `\t\tdeb-systemd-helper purge ${units} >/dev/null || true`,
    '\tfi',
    '\trm -rf /run/pi-textfile',
    'fi',
    'if [ "$1" = purge ] && getent passwd pi-textfile >/dev/null; then',
    '\t# The system user owns nothing outside /run/pi-textfile: it goes too.',
    '\tuserdel pi-textfile >/dev/null 2>&1 || true',
    'fi',
  ]),
  0o755,
);
const files = listFiles(stage).filter((f) => !f.startsWith('DEBIAN/'));
put('DEBIAN/md5sums', files.map((f) => `${createHash('md5').update(readFileSync(path.join(stage, f))).digest('hex')}  ${f}\n`).join(''));

// Reproducible: every file dated SOURCE_DATE_EPOCH, owned by root in the archive.
for (const f of [...listFiles(stage), ...listDirs(stage)]) {
  if (!lstatSync(path.join(stage, f)).isSymbolicLink()) utimesSync(path.join(stage, f), epoch, epoch);
}
const deb = path.join(out, `pi-textfile_${version}_all.deb`);
execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(deb);

/** Regular files under dir, relative, sorted. */
function listFiles(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(rel, e.name)) : e.isFile() ? [path.join(rel, e.name)] : []))
    .sort();
}
function listDirs(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [path.join(rel, e.name), ...listDirs(dir, path.join(rel, e.name))] : []));
}
function sizeOf(dir) {
  return listFiles(dir).reduce((n, f) => n + lstatSync(path.join(dir, f)).size, 0);
}

/** The man page: the program's own --help, for the program and each command. */
function manPage() {
  const help = (...args) => execFileSync(process.execPath, [path.join(root, 'dist', 'pi-textfile.cjs'), ...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80' } });
  const verbatim = (text) => ['.nf', ...text.trimEnd().split('\n').map((l) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1')), '.fi'].join('\n');
  const sections = ['collect', 'gen-config', 'install', 'uninstall', 'doctor'].map((c) => `.SS "pi-textfile ${c}"\n${verbatim(help(c))}`);
  const day = new Date(epoch * 1000).toISOString().slice(0, 10);
  return [
    `.TH PI-TEXTFILE 1 "${day}" "pi-textfile ${version}" "User Commands"`,
    '.SH NAME',
    'pi-textfile \\- Raspberry Pi hardware metrics for Prometheus node_exporter',
    '.SH SYNOPSIS',
    '.B pi-textfile',
    '.I command',
    '.RI [ options ]',
    '.SH DESCRIPTION',
    verbatim(help()),
    '.SH COMMANDS',
    ...sections,
    '.SH FILES',
    '.TP',
    '.I /run/pi-textfile/pi-textfile.prom',
    'the metrics, written by pi-textfile.service every 30 seconds (pi-textfile.timer)',
    '.TP',
    '.I /var/lib/prometheus/node-exporter/pi-textfile.prom',
    'a link to it, in the directory node_exporter\'s textfile collector reads',
    '.TP',
    '.I /usr/share/pi-textfile/cluster.example.yml',
    'an example cluster description for gen-config',
    '.SH SEE ALSO',
    '.BR prometheus-node-exporter (1),',
    '.BR systemctl (1),',
    '.BR journalctl (1);',
    '.I /usr/share/doc/pi-textfile/README.md.gz',
    '',
  ].join('\n');
}
