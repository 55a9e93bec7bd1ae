/**
 * install's and uninstall's plans: a list of actions, each already checked against what is on
 * disk (so a second run says "unchanged"), printed (--dry-run) or carried out one by one.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describeFsError, EXIT_CANNOT_RUN, UserError } from '../lib/errors';
import type { Io } from '../lib/io';

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

export type Action =
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
        fs.mkdirSync(path.dirname(a.path), { recursive: true, mode: 0o755 });
        // /etc/systemd/system is root's alone: write-file-atomic's realpath cannot be led
        // elsewhere there, and it gives the fsync and the rename.
        writeFileAtomic.sync(a.path, a.content, { mode: 0o644, chown: false, encoding: 'utf8' });
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

export function report(title: string, actions: readonly Action[], dryRun: boolean, io: Io, deps: DeployDeps): void {
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

export function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

export function systemctl(root: string, ...args: string[]): Action {
  return { kind: 'run', argv: root === '/' ? ['systemctl', ...args] : ['systemctl', `--root=${root}`, ...args.filter((a) => a !== '--now')] };
}

export function requireSystem(opts: { root: string; dryRun: boolean }, deps: DeployDeps, verb: string): void {
  if (opts.root !== '/') return;
  // A preview always works: it shows what would be done where systemd runs.
  if (!deps.systemdRunning() && !opts.dryRun) {
    throw new UserError(
      `systemd is not running on this machine, so there is nothing to ${verb} into; without systemd, use cron: copy cron/pi-textfile ` +
        `from the package to /etc/cron.d/ (the README's "Without systemd" section has the steps)`,
      EXIT_CANNOT_RUN,
    );
  }
  if (!opts.dryRun && deps.uid !== 0) throw new UserError(`${verb} changes /etc/systemd/system: run it as root (sudo pi-textfile ${verb})`, EXIT_CANNOT_RUN);
}

