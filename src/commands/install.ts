/**
 * `pi-textfile install`: the systemd units, the link that shows the tmpfs file to node_exporter,
 * and systemctl. It first makes a plan (src/deploy/actions.ts), then prints it (--dry-run) or
 * carries it out, printing each action as it is done.
 *
 * Exit codes: 0 done (or nothing to do); 1 invalid flags; 2 could not: not root, no systemd,
 * a file in the way that pi-textfile did not write, a failing systemctl.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTextOrNull } from '../framework/host';
import { defaultDeployDeps, lstat, report, requireSystem, systemctl, type Action, type DeployDeps } from '../deploy/actions';
import { DAEMON, HIDDEN_FROM_SERVICE, OUR_SERIES, PACKAGE_UNIT_DIR, RUNTIME_DIRECTORY, RUNTIME_FILE, SERVICE, SYSUSERS_FILE, TEXTFILE_NAME, TIMER, under, UNIT_DIR } from '../deploy/layout';
import { renderUnit, sysusersConfig } from '../deploy/units';
import { EXIT_CANNOT_RUN, EXIT_OK, UserError } from '../lib/errors';
import { findTextfileDirectory, type TextfileDirectory } from '../node-exporter/directory';
import type { Io } from '../lib/io';

export interface InstallOptions {
  dryRun: boolean;
  /** Install under this directory instead of / (image building, tests): nothing is started. */
  root: string;
  textfileDirectory?: string;
  /** Enable the long-running service instead of the timer. */
  daemon: boolean;
  /** With --root: install even into a tree that does not look like a system. */
  force?: boolean;
}

/**
 * Refuses what would leave two installations, or one in the wrong place: a --root that is no
 * system (a mistyped path would be created and a timer enabled in it), and a machine where the
 * Debian package already runs the timer (units in /etc would shadow the package's).
 */
function requireFreshTarget(opts: InstallOptions): void {
  if (opts.root !== '/' && opts.force !== true && !['etc/os-release', 'usr/lib/os-release'].some((f) => lstat(under(opts.root, `/${f}`)) !== null)) {
    throw new UserError(
      `--root ${opts.root} does not look like a system root (it has no etc/os-release or usr/lib/os-release); check the path, or pass --force to install into it anyway`,
      EXIT_CANNOT_RUN,
    );
  }
  if (fs.existsSync(under(opts.root, path.join(PACKAGE_UNIT_DIR, SERVICE)))) {
    throw new UserError(
      `the pi-textfile Debian package is installed (${path.join(PACKAGE_UNIT_DIR, SERVICE)}): its timer already runs collect, and install would shadow its units; ` +
        `change settings with sudo systemctl edit pi-textfile.service, or remove the package first (sudo apt remove pi-textfile)`,
      EXIT_CANNOT_RUN,
    );
  }
}

/** node_exporter's textfile directory for install, by the rule collect and doctor share. */
function textfileDirectoryFor(opts: InstallOptions, deps: DeployDeps): TextfileDirectory & { notes: string[] } {
  const found = findTextfileDirectory({
    flag: opts.textfileDirectory,
    rootfs: opts.root,
    procfs: opts.root === '/' ? deps.procfs : null,
  });
  const exporter = found.exporter;
  if (exporter !== undefined && exporter.textfileDirectory === null) {
    throw new UserError(
      `node_exporter (pid ${exporter.pid}) has no --collector.textfile.directory, so it reads no textfiles; add one to its arguments, ` +
        `or pass --textfile.directory DIR`,
      EXIT_CANNOT_RUN,
    );
  }
  const notes = exporter?.textfileDisabled
    ? [`node_exporter (pid ${exporter.pid}) runs with its textfile collector disabled; enable it (--collector.textfile) or it will not read ${TEXTFILE_NAME}`]
    : [];
  return { ...found, notes };
}

function planInstall(opts: InstallOptions, deps: DeployDeps): Action[] {
  requireSystem(opts, deps, 'install');
  for (const [what, p] of [['Node', deps.nodePath], ['pi-textfile', deps.bundlePath]] as const) {
    // systemd reads a unit line by line: a newline in a path would add lines to a root-run unit.
    if (/[\x00-\x1f\x7f]/.test(p)) {
      throw new UserError(`${what} is at ${JSON.stringify(p)}, a path with a control character, which a systemd unit cannot hold; install it at a plain path`, EXIT_CANNOT_RUN);
    }
    // With --root too: the units written there start these same paths when that system boots.
    const hidden = HIDDEN_FROM_SERVICE.find((h) => p === h || p.startsWith(`${h}/`));
    if (hidden !== undefined) {
      throw new UserError(
        `${what} is at ${p}, under ${hidden}, which the service cannot see (it runs with ProtectHome=yes and PrivateTmp=yes as its own user); ` +
          `install pi-textfile system-wide: the Debian package (npm run deb in a clone, then sudo apt install ./pi-textfile_VERSION_all.deb), or the tarball (npm pack, then sudo npm install -g ./pi-textfile-VERSION.tgz with a system Node), and run install from there`,
        EXIT_CANNOT_RUN,
      );
    }
  }
  requireFreshTarget(opts);
  const found = textfileDirectoryFor(opts, deps);
  if (!path.isAbsolute(found.directory)) throw new UserError(`node_exporter's textfile directory ${found.directory} (${found.source}) must be an absolute path`, EXIT_CANNOT_RUN);
  const dir = path.normalize(found.directory);

  const actions: Action[] = found.notes.map((text) => ({ kind: 'note', text }));
  const link = dir === RUNTIME_DIRECTORY ? null : path.join(dir, TEXTFILE_NAME);
  // The units' system user: declared for systemd-sysusers and created now; in an image (--root),
  // systemd-sysusers.service creates it early in its first boot.
  const sysusers = under(opts.root, SYSUSERS_FILE);
  actions.push({ kind: 'write', path: sysusers, content: sysusersConfig(), unchanged: readTextOrNull(sysusers) === sysusersConfig() });
  if (opts.root === '/') actions.push({ kind: 'run', argv: ['systemd-sysusers', SYSUSERS_FILE] });
  if (!fs.existsSync(under(opts.root, UNIT_DIR))) actions.push({ kind: 'mkdir', path: under(opts.root, UNIT_DIR) });
  for (const name of [SERVICE, TIMER, DAEMON]) {
    const file = under(opts.root, path.join(UNIT_DIR, name));
    const content = renderUnit(name, deps.nodePath, deps.bundlePath, link);
    actions.push({ kind: 'write', path: file, content, unchanged: readTextOrNull(file) === content });
  }
  if (link !== null) {
    const at = under(opts.root, link);
    if (!fs.existsSync(under(opts.root, dir))) actions.push({ kind: 'mkdir', path: under(opts.root, dir) });
    const existing = lstat(at);
    let unchanged = false;
    if (existing?.isSymbolicLink()) {
      unchanged = fs.readlinkSync(at) === RUNTIME_FILE;
    } else if (existing !== null) {
      const content = existing.isFile() ? readTextOrNull(at) : null;
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

