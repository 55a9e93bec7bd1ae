/**
 * `pi-textfile uninstall`: disables and removes install's units, its link (only if it is still
 * install's), /run/pi-textfile and the system user; settings made with `systemctl edit` are kept,
 * and said so. Refused where the Debian package is installed: its timer runs with that user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTextOrNull } from '../framework/host';
import { defaultDeployDeps, lstat, report, requireSystem, systemctl, type Action, type DeployDeps } from '../deploy/actions';
import { DAEMON, LINK_RECORD, PACKAGE_UNIT_DIR, RUNTIME_DIRECTORY, RUNTIME_FILE, SERVICE, SERVICE_USER, SYSUSERS_FILE, TIMER, under, UNIT_DIR } from '../deploy/layout';
import { EXIT_CANNOT_RUN, EXIT_OK, UserError } from '../lib/errors';
import type { Io } from '../lib/io';

function planUninstall(opts: { dryRun: boolean; root: string }, deps: DeployDeps): Action[] {
  requireSystem(opts, deps, 'uninstall');
  // The package's service runs as the same system user, in the same /run/pi-textfile, that
  // uninstall removes: its timer would then fail on every run (status 217/USER).
  if (fs.existsSync(under(opts.root, path.join(PACKAGE_UNIT_DIR, SERVICE)))) {
    throw new UserError(
      `the pi-textfile Debian package is installed (${path.join(PACKAGE_UNIT_DIR, SERVICE)}): uninstall would remove the system user and the directory its timer runs with; ` +
        `remove the package instead (sudo apt remove pi-textfile; sudo apt purge pi-textfile also removes its settings)`,
      EXIT_CANNOT_RUN,
    );
  }
  const actions: Action[] = [];
  const unitFile = (name: string): string => under(opts.root, path.join(UNIT_DIR, name));
  const present = [SERVICE, TIMER, DAEMON].filter((n) => lstat(unitFile(n)) !== null);
  const enableable = present.filter((n) => n !== SERVICE);
  if (enableable.length > 0) actions.push(systemctl(opts.root, 'disable', '--now', ...enableable));
  if (opts.root === '/' && present.includes(SERVICE)) actions.push(systemctl(opts.root, 'stop', SERVICE));
  const recorded = readTextOrNull(unitFile(SERVICE))?.split('\n').find((l) => l.startsWith(LINK_RECORD))?.slice(LINK_RECORD.length);
  for (const n of present) actions.push({ kind: 'remove', path: unitFile(n), tree: false });
  if (opts.root === '/' && present.length > 0) actions.push(systemctl(opts.root, 'daemon-reload'));
  if (recorded !== undefined) {
    const at = under(opts.root, recorded);
    const st = lstat(at);
    if (st?.isSymbolicLink() && fs.readlinkSync(at) === RUNTIME_FILE) actions.push({ kind: 'remove', path: at, tree: false });
  }
  const runtime = under(opts.root, RUNTIME_DIRECTORY);
  if (lstat(runtime) !== null) actions.push({ kind: 'remove', path: runtime, tree: true });
  // The system user install declared: it owns nothing outside /run/pi-textfile.
  const sysusers = under(opts.root, SYSUSERS_FILE);
  if (lstat(sysusers) !== null) actions.push({ kind: 'remove', path: sysusers, tree: false });
  if (new RegExp(`^${SERVICE_USER}:`, 'm').test(readTextOrNull(under(opts.root, '/etc/passwd')) ?? '')) {
    actions.push({ kind: 'run', argv: ['userdel', ...(opts.root === '/' ? [] : ['--root', opts.root]), SERVICE_USER] });
  }
  for (const n of present) {
    const dropIns = `${unitFile(n)}.d`;
    if (lstat(dropIns) !== null) actions.push({ kind: 'note', text: `kept ${dropIns} (settings made with systemctl edit); remove it if you no longer want them` });
  }
  return actions;
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
