/**
 * install, uninstall and doctor: their flags and help. The commands themselves are one part,
 * loaded only when one of them runs, so collect never pays for them.
 */
import type { Command } from 'commander';
import type { Io } from '../lib/io';
import type { DeployDeps, DoctorDeps } from '../commands/deploy';
import { EXIT_INVALID, UserError } from '../lib/errors';
import { COLLECT_DEFAULTS } from './collect';
import { absoluteFlag, durationFlag, type Raw } from './common';

type Deploy = typeof import('../commands/deploy');

/** Throws UserError (exit 1) unless `url` is an http:// URL that Node's URL parser accepts. */
function httpUrlFlag(url: string, flag: string): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // said below
  }
  if (parsed === null || parsed.protocol !== 'http:' || parsed.host === '' || !/^http:\/\/[^/]+/.test(url)) {
    throw new UserError(`${flag} ${JSON.stringify(url)} must be an http:// URL, like http://127.0.0.1:9100/metrics`, EXIT_INVALID);
  }
}
/** Required when used, not imported at the top: collect must never load these commands. */
const deploy = (): Deploy => require('../commands/deploy') as Deploy;

export interface DeployCliDeps {
  deploy?: Partial<DeployDeps>;
  doctor?: Partial<DoctorDeps>;
}

export function registerDeploy(program: Command, io: Io, deps: DeployCliDeps, done: (code: number) => void): void {
  program
    .command('install')
    .description('install and start the systemd timer that runs collect every 30 seconds (run as root)')
    .option('--dry-run', 'print every action (and every file, in full) instead of doing it')
    .option('--daemon', 'run one long-running collect (pi-textfile-daemon.service) instead of the timer')
    .option('--textfile.directory <dir>', "node_exporter's textfile directory, where pi-textfile.prom is linked (default: from the running node_exporter, else /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)")
    .option('--root <dir>', 'install under DIR instead of / (for images and tests): enables but starts nothing', '/')
    .option('--force', 'with --root: install even into a DIR that does not look like a system (no etc/os-release)')
    .addHelpText(
      'after',
      `
What it does, in order (idempotent: a second run changes nothing):
  1. declares the system user pi-textfile (/etc/sysusers.d/pi-textfile.conf)
     and creates it with systemd-sysusers;
  2. writes pi-textfile.service, pi-textfile.timer, pi-textfile-daemon.service
     into /etc/systemd/system, starting this Node and this pi-textfile;
  3. links DIR/pi-textfile.prom (DIR: node_exporter's textfile directory) to
     /run/pi-textfile/pi-textfile.prom: the service writes on tmpfs, so
     nothing is written to the SD card;
  4. systemctl daemon-reload, then enable --now the timer (or the daemon).
The service runs as that unprivileged user, in group video, sandboxed.
With the Debian package installed, there is nothing to install: it refuses.

Exit codes:
  0  installed (or, with --dry-run, printed)
  1  invalid flags
  2  could not: not root, no systemd, the Debian package already installed,
     a file in the way that pi-textfile did not write, or a systemctl that
     failed
`,
    )
    .action((raw: Raw) => {
      const dir = raw['textfile.directory'] as string | undefined;
      if (dir !== undefined && !dir.startsWith('/')) throw new UserError(`--textfile.directory ${JSON.stringify(dir)} must be an absolute path`, EXIT_INVALID);
      const d = deploy();
      done(d.runInstall(
        { dryRun: raw.dryRun === true, daemon: raw.daemon === true, root: absoluteFlag(raw.root, '--root'), force: raw.force === true, textfileDirectory: dir },
        io,
        { ...d.defaultDeployDeps(), ...deps.deploy },
      ));
    });

  program
    .command('uninstall')
    .description('stop and remove what install set up (run as root)')
    .option('--dry-run', 'print every action instead of doing it')
    .option('--root <dir>', 'uninstall from under DIR instead of /', '/')
    .addHelpText(
      'after',
      `
Removes the three units, the link in node_exporter's directory (only if it
is still install's link), and /run/pi-textfile. Settings you made with
systemctl edit are kept, and said so.
Exit codes: 0 done, or nothing to remove; 1 invalid flags; 2 could not.
`,
    )
    .action((raw: Raw) => {
      const d = deploy();
      done(d.runUninstall({ dryRun: raw.dryRun === true, root: absoluteFlag(raw.root, '--root') }, io, { ...d.defaultDeployDeps(), ...deps.deploy }));
    });

  program
    .command('doctor')
    .description('check that metrics flow from vcgencmd to node_exporter\'s /metrics, and say how to fix what does not')
    .option('--textfile.directory <dir>', "node_exporter's textfile directory (default: from the running node_exporter's command line)")
    .option('--textfile.name <name>', 'the file pi-textfile writes there', COLLECT_DEFAULTS['textfile.name'])
    .option('--max-age <duration>', 'a file older than this is stale', '2m')
    .option('--node-exporter.url <url>', `node_exporter's metrics (default: http://127.0.0.1:PORT/metrics, PORT from its --web.listen-address, else 9100)`)
    .option('--vcgencmd <path>', 'vcgencmd to check (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)')
    .option('--vcgencmd.timeout <duration>', 'time limit for the vcgencmd check', COLLECT_DEFAULTS['vcgencmd.timeout'])
    .addHelpText(
      'after',
      `
Checks, one line each (ok, warn or FAIL, and for each failure a fix):
  node           new enough, with V8's startup snapshot (else runs cost ~3x)
  vcgencmd       found, and answers when run as the service runs
                 (an unprivileged user in group video)
  node_exporter  running, and which textfile directory it reads
  textfile       pi-textfile.prom is there, fresh, every collector succeeded
  scrape         /metrics shows node_textfile_scrape_error 0 and our series
Run it as root, so that the vcgencmd check tests the service's permissions
rather than yours.

Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed, or invalid flags
`,
    )
    .action(async (raw: Raw) => {
      const url = raw['nodeExporter.url'] as string | undefined;
      if (url !== undefined) httpUrlFlag(url, '--node-exporter.url');
      const name = raw['textfile.name'] as string;
      const d = deploy();
      done(await d.runDoctor(
        {
          textfileDirectory: raw['textfile.directory'] as string | undefined,
          textfileName: name,
          maxAgeMs: durationFlag(raw.maxAge, '--max-age', 1000, 7 * 86_400_000),
          url,
          vcgencmd: raw.vcgencmd as string | undefined,
          vcgencmdTimeoutMs: durationFlag(raw['vcgencmd.timeout'], '--vcgencmd.timeout', 100, 5 * 60_000),
        },
        io,
        { ...d.defaultDoctorDeps(), ...deps.doctor },
      ));
    });
}
