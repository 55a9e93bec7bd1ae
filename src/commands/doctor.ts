/**
 * `pi-textfile doctor`: checks the whole chain from Node to Prometheus's scrape, one line per
 * check, each failure with its fix. The three classic silent failures are its main business:
 * vcgencmd not permitted, node_exporter not reading our directory, a stale file served forever.
 *
 * Exit codes: 0 every check passed (warnings allowed); 1 a check failed, or invalid flags.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { configuredTextfileDirectory, DEFAULT_PORT, findNodeExporters, pickNodeExporter, type NodeExporterProcess } from '../deploy/node-exporter';
import { EXIT_OK } from '../errors';
import { NODE_EXPORTER_DEFAULTS } from '../node-exporter-defaults';
import { classifyResult, findVcgencmd, VcgencmdError } from '../vcgencmd';
import type { Io } from './collect';
import { DAEMON, SERVICE, TIMER, UNIT_DIR } from './install';

export const EXIT_CHECK_FAILED = 1;
const MIN_NODE = [18, 17] as const;
/** The user the check runs vcgencmd as when doctor is root: nobody, plus group video, like the service. */
const NOBODY = 65534;

export interface DoctorOptions {
  textfileDirectory?: string;
  textfileName: string;
  maxAgeMs: number;
  /** node_exporter's /metrics; default: 127.0.0.1 on the port node_exporter listens on. */
  url?: string;
  vcgencmd?: string;
  vcgencmdTimeoutMs: number;
}

export interface DoctorDeps {
  node: { version: string; execPath: string; snapshot: boolean; codeCache: boolean };
  uid: number;
  procfs: string;
  nodeExporterDefaults: string;
  unitDirectory: string;
  groupFile: string;
  searchPath?: string;
  wallMs(): number;
}

export const defaultDoctorDeps = (): DoctorDeps => {
  const vars = (process.config.variables ?? {}) as Record<string, unknown>;
  return {
    node: {
      version: process.version,
      execPath: process.execPath,
      snapshot: vars.node_use_node_snapshot === true || vars.node_use_node_snapshot === 'true',
      codeCache: vars.node_use_node_code_cache === true || vars.node_use_node_code_cache === 'true',
    },
    uid: process.getuid?.() ?? 0,
    procfs: '/proc',
    nodeExporterDefaults: NODE_EXPORTER_DEFAULTS,
    unitDirectory: UNIT_DIR,
    groupFile: '/etc/group',
    searchPath: process.env.PATH,
    wallMs: () => Date.now(),
  };
};

type Status = 'ok' | 'warn' | 'FAIL';
interface Check {
  status: Status;
  name: string;
  text: string;
  fix?: string;
}

const ok = (name: string, text: string): Check => ({ status: 'ok', name, text });
const fail = (name: string, text: string, fix: string): Check => ({ status: 'FAIL', name, text, fix });

/** PURE: "7m30s", "12s", "1h2m" for a number of milliseconds. */
export function formatAge(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`;
}

export function checkNode(node: DoctorDeps['node']): Check {
  const [major, minor] = node.version.replace(/^v/, '').split('.').map(Number) as [number, number];
  const what = `Node ${node.version} at ${node.execPath}`;
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return fail('node', `${what} is older than ${MIN_NODE.join('.')}, the oldest pi-textfile supports`, 'install a current LTS Node (nodejs.org, NodeSource, or your release\'s nodejs if it is 18.17 or newer)');
  }
  const missing = [node.snapshot ? null : 'startup snapshot', node.codeCache ? null : 'code cache'].filter((m) => m !== null);
  if (missing.length > 0) {
    return {
      status: 'warn',
      name: 'node',
      text: `${what} was built without V8's ${missing.join(' and ')}, so each collect run costs about 3x the CPU of an official build`,
      fix: 'install Node from nodejs.org or NodeSource, or keep one process running instead of one per 30 s (sudo pi-textfile install --daemon)',
    };
  }
  return ok('node', `${what}, with the startup snapshot and code cache`);
}

function groupId(groupFile: string, name: string): number | null {
  let text = '';
  try {
    text = fs.readFileSync(groupFile, 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => l.split(':')[0] === name);
  const gid = line === undefined ? NaN : Number(line.split(':')[2]);
  return Number.isInteger(gid) ? gid : null;
}

export function checkVcgencmd(opts: DoctorOptions, deps: DoctorDeps): Check {
  const file = opts.vcgencmd ?? findVcgencmd(deps.searchPath);
  if (file === null || !fs.existsSync(file)) {
    return fail(
      'vcgencmd',
      opts.vcgencmd ? `${opts.vcgencmd} (--vcgencmd) does not exist` : 'not found on PATH, in /usr/bin or in /opt/vc/bin',
      'sudo apt install raspi-utils (libraspberrypi-bin on older releases), or pass --vcgencmd PATH',
    );
  }
  // As root, vcgencmd always works: run it the way the service does instead, as an unprivileged
  // user whose only group is video.
  let argv = [file, 'get_throttled'];
  let who = 'this user';
  if (deps.uid === 0) {
    const video = groupId(deps.groupFile, 'video');
    if (video === null) {
      return fail('vcgencmd', `this system has no group video, which the service runs in to reach /dev/vcio`, 'sudo groupadd --system video, then make /dev/vcio belong to it (a udev rule: KERNEL=="vcio", GROUP="video", MODE="0660")');
    }
    argv = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, `--groups=${video}`, '--', file, 'get_throttled'];
    who = 'an unprivileged user in group video, as the service runs';
  }
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: opts.vcgencmdTimeoutMs, killSignal: 'SIGKILL', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return fail('vcgencmd', `${file} get_throttled did not answer within ${opts.vcgencmdTimeoutMs / 1000}s (run as ${who})`, 'the firmware may be hung: look for "Firmware transaction timeout" in dmesg; a reboot clears it');
  }
  if (r.error) return fail('vcgencmd', `cannot run ${argv[0]}: ${r.error.message}`, argv[0] === 'setpriv' ? 'install util-linux (it provides setpriv)' : `check ${file}`);
  try {
    const out = classifyResult(['get_throttled'], r.status, r.stdout, r.stderr);
    return ok('vcgencmd', `${file} get_throttled answered ${JSON.stringify(out.trim())} when run as ${who}`);
  } catch (err) {
    if (!(err instanceof VcgencmdError)) throw err;
    const said = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
    if (err.kind === 'permission') {
      return fail(
        'vcgencmd',
        `${file} cannot reach the firmware when run as ${who}: "${said}" (status ${r.status})`,
        deps.uid === 0
          ? 'make the firmware devices belong to group video with mode 0660 (ls -l /dev/vcio /dev/vchiq; Raspberry Pi OS does it with a udev rule: KERNEL=="vcio", GROUP="video", MODE="0660")'
          : 'sudo usermod -aG video "$USER", then log in again (the service itself gets group video); or run sudo pi-textfile doctor',
      );
    }
    return fail('vcgencmd', `${file} get_throttled failed when run as ${who}: ${said || `status ${r.status}`}`, `run ${file} get_throttled yourself to see the firmware's answer`);
  }
}

interface ExporterFinding {
  check: Check;
  chosen: NodeExporterProcess | undefined;
  url: string;
}

export function checkNodeExporter(opts: DoctorOptions, deps: DoctorDeps): ExporterFinding {
  const running = findNodeExporters(deps.procfs);
  let wantedPort: number | undefined;
  if (opts.url !== undefined) {
    const u = new URL(opts.url);
    wantedPort = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  }
  // Without a URL, any node_exporter is better than none: its line names which one was checked.
  const chosen = pickNodeExporter(running, wantedPort) ?? (wantedPort === undefined ? running[0] : undefined);
  const url = opts.url ?? `http://127.0.0.1:${chosen?.port ?? DEFAULT_PORT}/metrics`;
  const install = 'sudo apt install prometheus-node-exporter; sudo systemctl enable --now prometheus-node-exporter';
  if (chosen === undefined) {
    const others = running.map((p) => `pid ${p.pid} on port ${p.port}`).join(', ');
    const text =
      running.length === 0
        ? 'not running: no prometheus-node-exporter or node_exporter process'
        : `none of the running node_exporters listens on port ${wantedPort} (found ${others})`;
    return { check: fail('node_exporter', text, running.length === 0 ? install : 'pass --node-exporter.url with the port node_exporter listens on'), chosen, url };
  }
  const who = `pid ${chosen.pid} (${chosen.argv[0]}) on port ${chosen.port}`;
  if (chosen.textfileDisabled) {
    return {
      check: fail('node_exporter', `${who} runs with its textfile collector disabled`, `remove --no-collector.textfile from its arguments (ARGS in ${deps.nodeExporterDefaults}), or add --collector.textfile`),
      chosen,
      url,
    };
  }
  if (chosen.textfileDirectory === null) {
    return {
      check: fail('node_exporter', `${who} has no --collector.textfile.directory, so it reads no textfiles`, 'add --collector.textfile.directory=/var/lib/prometheus/node-exporter to its arguments, restart it, then sudo pi-textfile install'),
      chosen,
      url,
    };
  }
  const from = chosen.textfileDirectorySource === 'command line' ? 'from its command line' : 'its built-in default';
  return { check: ok('node_exporter', `${who} reads textfiles from ${chosen.textfileDirectory} (${from})`), chosen, url };
}

/** Where the installed service writes: --textfile.directory in its ExecStart, if installed. */
function serviceDirectory(deps: DoctorDeps): { unit: string; directory: string } | null {
  for (const unit of [SERVICE, DAEMON]) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(deps.unitDirectory, unit), 'utf8');
    } catch {
      continue;
    }
    const m = /^ExecStart=.*--textfile\.directory[= ](\S+)/m.exec(text);
    if (m) return { unit, directory: m[1]! };
  }
  return null;
}

export function checkTextfile(opts: DoctorOptions, deps: DoctorDeps, dir: string, dirSource: string): Check {
  const file = path.join(dir, opts.textfileName);
  const writer = serviceDirectory(deps);
  const logs = writer === null ? 'sudo pi-textfile install' : writer.unit === DAEMON ? `journalctl -u ${DAEMON}` : `systemctl status ${TIMER}; journalctl -u ${SERVICE}`;
  let link: string | null = null;
  try {
    if (fs.lstatSync(file).isSymbolicLink()) link = fs.readlinkSync(file);
  } catch {
    const elsewhere = writer !== null && path.normalize(writer.directory) !== path.normalize(dir) ? `; ${writer.unit} writes ${path.join(writer.directory, opts.textfileName)}` : '';
    return fail(
      'textfile',
      `no ${opts.textfileName} in ${dir}, the directory node_exporter reads (${dirSource})${elsewhere}`,
      writer === null ? `sudo pi-textfile install (it links ${opts.textfileName} there)` : `sudo pi-textfile install --textfile.directory=${dir} (it links ${opts.textfileName} there)`,
    );
  }
  const shown = link === null ? file : `${file} -> ${link}`;
  let stat: fs.Stats;
  let content: string;
  try {
    stat = fs.statSync(file);
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('textfile', `${shown}: the link's target does not exist; pi-textfile has not written it since boot`, logs);
    return fail('textfile', `${shown} cannot be read: ${(err as Error).message}`, `node_exporter must be able to read it: chmod 0644 ${file}`);
  }
  const age = deps.wallMs() - stat.mtimeMs;
  if (age > opts.maxAgeMs) {
    return fail(
      'textfile',
      `${shown} was last written ${formatAge(age)} ago (${new Date(stat.mtimeMs).toISOString()}), longer than --max-age ${formatAge(opts.maxAgeMs)}: node_exporter keeps serving these old values`,
      logs,
    );
  }
  const results = [...content.matchAll(/^pi_textfile_collector_success\{collector="([^"]*)"\} (\S+)$/gm)];
  if (results.length === 0) return fail('textfile', `${shown} has no pi_textfile_collector_success series: it was not written by pi-textfile`, `move it away, then sudo pi-textfile install`);
  const failed = results.filter((m) => m[2] !== '1').map((m) => m[1]);
  if (failed.length > 0) {
    return fail('textfile', `${shown}, written ${formatAge(age)} ago: collector${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed`, `pi-textfile collect --stdout shows why; for the service's own runs: ${logs}`);
  }
  return ok('textfile', `${shown}, written ${formatAge(age)} ago; all ${results.length} collectors succeeded`);
}

function fetch(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection, never a pooled one: node_exporter may have restarted since the last.
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
  });
}

export async function checkScrape(url: string, textfileName: string): Promise<Check> {
  let res: { status: number; body: string };
  try {
    res = await fetch(url, 5000);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return fail('scrape', `cannot fetch ${url}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`, 'start node_exporter, or pass --node-exporter.url with the address it listens on');
  }
  if (res.status !== 200) return fail('scrape', `${url} answered HTTP ${res.status}`, 'check node_exporter\'s --web.listen-address and --web.telemetry-path');
  const value = (name: string): string | undefined => new RegExp(`^${name} (\\S+)$`, 'm').exec(res.body)?.[1];
  const scrapeError = value('node_textfile_scrape_error');
  if (scrapeError === undefined) return fail('scrape', `${url} has no node_textfile_scrape_error: node_exporter's textfile collector is off`, 'enable it: --collector.textfile');
  if (Number(scrapeError) !== 0) {
    return fail('scrape', `${url}: node_textfile_scrape_error ${scrapeError}: node_exporter cannot read or parse a file in its textfile directory`, 'its log names the file: journalctl -u prometheus-node-exporter | grep textfile');
  }
  const ours = res.body.split('\n').filter((l) => /^(pi_textfile_|rpi_)/.test(l)).length;
  const mtime = res.body.split('\n').some((l) => l.startsWith('node_textfile_mtime_seconds{') && l.includes(`${textfileName}"`));
  if (ours === 0 || !mtime) return fail('scrape', `${url}: node_textfile_scrape_error 0, but no pi-textfile series: node_exporter does not read ${textfileName}`, 'see the textfile check above');
  return ok('scrape', `${url}: node_textfile_scrape_error 0, ${ours} pi-textfile series`);
}

export async function runDoctor(opts: DoctorOptions, io: Io, deps: DoctorDeps = defaultDoctorDeps()): Promise<number> {
  const checks: Check[] = [];
  const show = (c: Check): void => {
    checks.push(c);
    io.stdout(`${c.status.padEnd(4)} ${c.name}: ${c.text}${c.fix ? `; fix: ${c.fix}` : ''}\n`);
  };
  show(checkNode(deps.node));
  show(checkVcgencmd(opts, deps));
  const exporter = checkNodeExporter(opts, deps);
  show(exporter.check);
  let dir: string;
  let source: string;
  if (opts.textfileDirectory !== undefined) {
    [dir, source] = [opts.textfileDirectory, '--textfile.directory'];
  } else if (exporter.chosen?.textfileDirectory) {
    [dir, source] = [exporter.chosen.textfileDirectory, `node_exporter pid ${exporter.chosen.pid}`];
  } else {
    const configured = configuredTextfileDirectory(deps.nodeExporterDefaults);
    [dir, source] = [configured.directory, configured.source];
  }
  show(checkTextfile(opts, deps, dir, source));
  show(await checkScrape(exporter.url, opts.textfileName));
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  io.stdout(failed === 0 ? 'pi-textfile doctor: all checks passed\n' : `pi-textfile doctor: ${failed} of ${checks.length} checks failed\n`);
  return failed === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}
