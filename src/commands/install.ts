/**
 * `pi-textfile install` and `pi-textfile uninstall`: the systemd units, the link that shows the
 * tmpfs file to node_exporter, and systemctl. Both first make a plan (a list of actions, each
 * already checked against what is on disk, so a second run says "unchanged"), then print it
 * (--dry-run) or carry it out, printing each action as it is done.
 *
 * Exit codes: 0 done (or nothing to do); 1 invalid flags; 2 could not: not root, no systemd,
 * a file in the way that pi-textfile did not write, a failing systemctl.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configuredTextfileDirectory, DEFAULT_PORT, findNodeExporters, pickNodeExporter, type TextfileDirectory } from '../deploy/node-exporter';
import { UNITS } from '../deploy/units.generated';
import { describeFsError, EXIT_CANNOT_RUN, EXIT_OK, UserError } from '../errors';
import { NODE_EXPORTER_DEFAULTS } from '../node-exporter-defaults';
import type { Io } from './collect';

export const UNIT_DIR = '/etc/systemd/system';
export const RUNTIME_DIRECTORY = '/run/pi-textfile';
export const TEXTFILE_NAME = 'pi-textfile.prom';
export const RUNTIME_FILE = `${RUNTIME_DIRECTORY}/${TEXTFILE_NAME}`;
export const SERVICE = 'pi-textfile.service';
export const TIMER = 'pi-textfile.timer';
export const DAEMON = 'pi-textfile-daemon.service';
/** The shipped units start the binary that `npm install -g` puts here on Raspberry Pi OS. */
const TEMPLATE_BINARY = '/usr/local/bin/pi-textfile';
const TEMPLATE_README = 'file:/usr/local/lib/node_modules/pi-textfile/README.md';
/** Recorded in the installed service, so uninstall removes exactly the link install made. */
const LINK_RECORD = '# pi-textfile install linked: ';
/** A series every pi-textfile file has: how a file in the way is recognised as an older one of ours. */
const OUR_SERIES = 'pi_textfile_collector_success';
/** The dynamic user cannot see these: ProtectHome=yes, PrivateTmp=yes. */
const HIDDEN_FROM_SERVICE = ['/home', '/root', '/run/user', '/tmp', '/var/tmp'];

export interface InstallOptions {
  dryRun: boolean;
  /** Install under this directory instead of / (image building, tests): nothing is started. */
  root: string;
  textfileDirectory?: string;
  /** Enable the long-running service instead of the timer. */
  daemon: boolean;
}

export interface DeployDeps {
  /** The Node binary and the bundle the units will start. */
  nodePath: string;
  bundlePath: string;
  uid: number;
  procfs: string;
  systemdRunning(): boolean;
  run(argv: readonly string[]): { status: number | null; output: string };
}

export const defaultDeployDeps = (): DeployDeps => ({
  nodePath: realpath(process.execPath),
  bundlePath: realpath(process.argv[1] ?? ''),
  uid: process.getuid?.() ?? 0,
  procfs: '/proc',
  systemdRunning: () => fs.existsSync('/run/systemd/system'),
  run(argv) {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
  },
});

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

type Action =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string; content: string; unchanged: boolean }
  | { kind: 'link'; path: string; target: string; unchanged: boolean; replaces: boolean }
  | { kind: 'remove'; path: string; tree: boolean }
  | { kind: 'run'; argv: string[] }
  | { kind: 'note'; text: string };

function describe(a: Action): string {
  switch (a.kind) {
    case 'mkdir':
      return `create directory ${a.path}`;
    case 'write':
      return `${a.unchanged ? 'unchanged' : 'write'} ${a.path}`;
    case 'link':
      return `${a.unchanged ? 'unchanged' : a.replaces ? 'replace with link' : 'link'} ${a.path} -> ${a.target}`;
    case 'remove':
      return `remove ${a.path}`;
    case 'run':
      return `run ${a.argv.join(' ')}`;
    case 'note':
      return `note: ${a.text}`;
  }
}

function perform(a: Action, deps: DeployDeps): void {
  try {
    switch (a.kind) {
      case 'mkdir':
        fs.mkdirSync(a.path, { recursive: true, mode: 0o755 });
        return;
      case 'write':
        if (a.unchanged) return;
        fs.writeFileSync(`${a.path}.pi-textfile-new`, a.content, { mode: 0o644 });
        fs.chmodSync(`${a.path}.pi-textfile-new`, 0o644);
        fs.renameSync(`${a.path}.pi-textfile-new`, a.path);
        return;
      case 'link': {
        if (a.unchanged) return;
        // A new link beside the old entry, renamed over it: node_exporter never sees a gap.
        const tmp = path.join(path.dirname(a.path), `.${path.basename(a.path)}.pi-textfile-new`);
        fs.rmSync(tmp, { force: true });
        fs.symlinkSync(a.target, tmp);
        fs.renameSync(tmp, a.path);
        return;
      }
      case 'remove':
        fs.rmSync(a.path, { recursive: a.tree, force: true });
        return;
      case 'run': {
        const r = deps.run(a.argv);
        if (r.status !== 0) throw new UserError(`${a.argv.join(' ')} failed (status ${r.status})${r.output ? `: ${r.output.replace(/\s*\n\s*/g, ' ')}` : ''}`, EXIT_CANNOT_RUN);
        return;
      }
      case 'note':
        return;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${describe(a)}: ${describeFsError(err)}`, EXIT_CANNOT_RUN);
  }
}

function report(title: string, actions: readonly Action[], dryRun: boolean, io: Io, deps: DeployDeps): void {
  if (dryRun) {
    io.stdout(`${title} --dry-run: nothing is changed; these are the actions, in order:\n`);
    for (const a of actions) {
      io.stdout(`  ${describe(a)}\n`);
      if (a.kind === 'write' && !a.unchanged) for (const line of a.content.replace(/\n$/, '').split('\n')) io.stdout(`      | ${line}\n`);
    }
    return;
  }
  for (const a of actions) {
    perform(a, deps);
    io.stdout(`${describe(a)}\n`);
  }
}

/** PURE: an argument as systemd's command-line parser reads it back (specifiers and variables escaped). */
export function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * PURE: a shipped unit, made to start this Node and this bundle, pointing at this README, and
 * (for the service) recording the link made into node_exporter's directory.
 */
export function renderUnit(name: string, nodePath: string, bundlePath: string, link: string | null): string {
  const template = UNITS[name];
  if (template === undefined) throw new Error(`no unit template ${name}`);
  const readme = path.join(path.dirname(path.dirname(bundlePath)), 'README.md');
  let text = template
    .split(`ExecStart=${TEMPLATE_BINARY} `)
    .join(`ExecStart=${systemdQuote(nodePath)} ${systemdQuote(bundlePath)} `)
    .split(`Documentation=${TEMPLATE_README}`)
    .join(`Documentation=file:${readme.replace(/%/g, '%%').replace(/ /g, '%20')}`);
  if (name === SERVICE && link !== null) text = text.replace('\n[Unit]', `\n${LINK_RECORD}${link}\n\n[Unit]`);
  return text;
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

function under(root: string, p: string): string {
  return root === '/' ? p : path.join(root, p);
}

function systemctl(root: string, ...args: string[]): Action {
  return { kind: 'run', argv: root === '/' ? ['systemctl', ...args] : ['systemctl', `--root=${root}`, ...args.filter((a) => a !== '--now')] };
}

function requireSystem(opts: { root: string; dryRun: boolean }, deps: DeployDeps, verb: string): void {
  if (opts.root !== '/') return;
  if (!deps.systemdRunning()) {
    throw new UserError(
      `systemd is not running on this machine, so there is nothing to ${verb} into; without systemd, use cron: copy cron/pi-textfile ` +
        `from the package to /etc/cron.d/ (the README's "Without systemd" section has the steps)`,
      EXIT_CANNOT_RUN,
    );
  }
  if (!opts.dryRun && deps.uid !== 0) throw new UserError(`${verb} changes /etc/systemd/system: run it as root (sudo pi-textfile ${verb})`, EXIT_CANNOT_RUN);
}

/** node_exporter's textfile directory for install: the flag, else the running node_exporter's, else its configuration. */
function textfileDirectoryFor(opts: InstallOptions, deps: DeployDeps): TextfileDirectory & { notes: string[] } {
  if (opts.textfileDirectory !== undefined) return { directory: opts.textfileDirectory, source: '--textfile.directory', notes: [] };
  if (opts.root === '/') {
    const running = findNodeExporters(deps.procfs);
    const chosen = pickNodeExporter(running);
    if (running.length > 1 && chosen === undefined) {
      throw new UserError(
        `${running.length} node_exporters are running (pids ${running.map((p) => p.pid).join(', ')}), none on port ${DEFAULT_PORT}; ` +
          `pass --textfile.directory DIR to say which directory to link pi-textfile.prom into`,
        EXIT_CANNOT_RUN,
      );
    }
    if (chosen !== undefined) {
      const notes = chosen.textfileDisabled
        ? [`node_exporter (pid ${chosen.pid}) runs with its textfile collector disabled; enable it (--collector.textfile) or it will not read ${TEXTFILE_NAME}`]
        : [];
      if (chosen.textfileDirectory !== null) return { directory: chosen.textfileDirectory, source: `node_exporter pid ${chosen.pid}'s command line`, notes };
      throw new UserError(
        `node_exporter (pid ${chosen.pid}) has no --collector.textfile.directory, so it reads no textfiles; add one to its arguments, ` +
          `or pass --textfile.directory DIR`,
        EXIT_CANNOT_RUN,
      );
    }
  }
  return { ...configuredTextfileDirectory(under(opts.root, NODE_EXPORTER_DEFAULTS)), notes: [] };
}

export function planInstall(opts: InstallOptions, deps: DeployDeps): Action[] {
  requireSystem(opts, deps, 'install');
  if (opts.root === '/') {
    for (const [what, p] of [['Node', deps.nodePath], ['pi-textfile', deps.bundlePath]] as const) {
      const hidden = HIDDEN_FROM_SERVICE.find((h) => p === h || p.startsWith(`${h}/`));
      if (hidden !== undefined) {
        throw new UserError(
          `${what} is at ${p}, under ${hidden}, which the service cannot see (it runs with ProtectHome=yes and PrivateTmp=yes as its own user); ` +
            `install Node and pi-textfile system-wide (a system Node, then sudo npm install -g pi-textfile) and run install from there`,
          EXIT_CANNOT_RUN,
        );
      }
    }
  }
  const found = textfileDirectoryFor(opts, deps);
  if (!path.isAbsolute(found.directory)) throw new UserError(`node_exporter's textfile directory ${found.directory} (${found.source}) must be an absolute path`, EXIT_CANNOT_RUN);
  const dir = path.normalize(found.directory);
  if (/[*?[]/.test(dir)) throw new UserError(`node_exporter's textfile directory ${dir} (${found.source}) is a glob; pass --textfile.directory DIR`, EXIT_CANNOT_RUN);

  const actions: Action[] = found.notes.map((text) => ({ kind: 'note', text }));
  const link = dir === RUNTIME_DIRECTORY ? null : path.join(dir, TEXTFILE_NAME);
  if (!fs.existsSync(under(opts.root, UNIT_DIR))) actions.push({ kind: 'mkdir', path: under(opts.root, UNIT_DIR) });
  for (const name of [SERVICE, TIMER, DAEMON]) {
    const file = under(opts.root, path.join(UNIT_DIR, name));
    const content = renderUnit(name, deps.nodePath, deps.bundlePath, link);
    actions.push({ kind: 'write', path: file, content, unchanged: readIfExists(file) === content });
  }
  if (link !== null) {
    const at = under(opts.root, link);
    if (!fs.existsSync(under(opts.root, dir))) actions.push({ kind: 'mkdir', path: under(opts.root, dir) });
    const existing = lstat(at);
    let unchanged = false;
    if (existing?.isSymbolicLink()) {
      unchanged = fs.readlinkSync(at) === RUNTIME_FILE;
    } else if (existing !== null) {
      const content = existing.isFile() ? readIfExists(at) : null;
      if (content === null || !(content === '' || content.includes(OUR_SERIES))) {
        throw new UserError(
          `${at} exists and was not written by pi-textfile; move it away, or pass --textfile.directory DIR (node_exporter's textfile directory, found from ${found.source})`,
          EXIT_CANNOT_RUN,
        );
      }
    }
    actions.push({ kind: 'link', path: at, target: RUNTIME_FILE, unchanged, replaces: existing !== null && !unchanged });
  }
  const [enable, other] = opts.daemon ? [DAEMON, TIMER] : [TIMER, DAEMON];
  if (opts.root === '/') actions.push(systemctl(opts.root, 'daemon-reload'));
  actions.push(systemctl(opts.root, 'disable', '--now', other));
  actions.push(systemctl(opts.root, 'enable', '--now', enable));
  return actions;
}

export function planUninstall(opts: { dryRun: boolean; root: string }, deps: DeployDeps): Action[] {
  requireSystem(opts, deps, 'uninstall');
  const actions: Action[] = [];
  const unitFile = (name: string): string => under(opts.root, path.join(UNIT_DIR, name));
  const present = [SERVICE, TIMER, DAEMON].filter((n) => lstat(unitFile(n)) !== null);
  const enableable = present.filter((n) => n !== SERVICE);
  if (enableable.length > 0) actions.push(systemctl(opts.root, 'disable', '--now', ...enableable));
  if (opts.root === '/' && present.includes(SERVICE)) actions.push(systemctl(opts.root, 'stop', SERVICE));
  const recorded = readIfExists(unitFile(SERVICE))?.split('\n').find((l) => l.startsWith(LINK_RECORD))?.slice(LINK_RECORD.length);
  for (const n of present) actions.push({ kind: 'remove', path: unitFile(n), tree: false });
  if (opts.root === '/' && present.length > 0) actions.push(systemctl(opts.root, 'daemon-reload'));
  if (recorded !== undefined) {
    const at = under(opts.root, recorded);
    const st = lstat(at);
    if (st?.isSymbolicLink() && fs.readlinkSync(at) === RUNTIME_FILE) actions.push({ kind: 'remove', path: at, tree: false });
  }
  const runtime = under(opts.root, RUNTIME_DIRECTORY);
  if (lstat(runtime) !== null) actions.push({ kind: 'remove', path: runtime, tree: true });
  for (const n of present) {
    const dropIns = `${unitFile(n)}.d`;
    if (lstat(dropIns) !== null) actions.push({ kind: 'note', text: `kept ${dropIns} (settings made with systemctl edit); remove it if you no longer want them` });
  }
  return actions;
}

export function runInstall(opts: InstallOptions, io: Io, deps: DeployDeps = defaultDeployDeps()): number {
  const actions = planInstall(opts, deps);
  report('pi-textfile install', actions, opts.dryRun, io, deps);
  if (!opts.dryRun) {
    io.stdout(
      opts.root === '/'
        ? `pi-textfile: installed; ${opts.daemon ? DAEMON : TIMER} is running and writes ${RUNTIME_FILE} every 30 seconds. Check everything with: pi-textfile doctor\n`
        : `pi-textfile: installed under ${opts.root}; ${opts.daemon ? DAEMON : TIMER} is enabled and starts at boot\n`,
    );
  }
  return EXIT_OK;
}

export function runUninstall(opts: { dryRun: boolean; root: string }, io: Io, deps: DeployDeps = defaultDeployDeps()): number {
  const actions = planUninstall(opts, deps);
  if (actions.length === 0) {
    io.stdout('pi-textfile uninstall: nothing to remove; pi-textfile\'s units are not installed\n');
    return EXIT_OK;
  }
  report('pi-textfile uninstall', actions, opts.dryRun, io, deps);
  if (!opts.dryRun) io.stdout('pi-textfile: uninstalled; the package itself stays (sudo npm uninstall -g pi-textfile removes it)\n');
  return EXIT_OK;
}
