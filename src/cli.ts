/**
 * Command-line wiring only: subcommands, flags, exit codes. `main(argv, io)` returns the exit code;
 * bin.ts is the thin shell around it. gen-config's modules (yaml, ajv) are required lazily, inside
 * its action, so `collect` never loads them.
 */
import { Command, CommanderError, Option } from 'commander';
import { CLOCKS, DEFAULT_CLOCKS } from './collectors/clock';
import { COLLECTORS } from './collectors/index';
import { defaultCollectDeps, runCollect, type CollectDeps, type CollectOptions, type Io } from './commands/collect';
import { parseDuration } from './duration';
import { EXIT_CANNOT_RUN, EXIT_INVALID, EXIT_OK, UserError } from './errors';
import { version } from '../package.json';

type Raw = Record<string, unknown>;

function duration(raw: unknown, flag: string, minMs: number): number {
  const ms = typeof raw === 'string' ? parseDuration(raw) : null;
  if (ms === null) throw new UserError(`${flag} ${JSON.stringify(raw)} is not a duration; write it like 5s, 500ms or 1m30s`, EXIT_INVALID);
  if (ms < minMs) throw new UserError(`${flag} ${raw} is too short; the minimum is ${minMs / 1000}s`, EXIT_INVALID);
  return ms;
}

/** Turns commander's raw values into CollectOptions; throws UserError (exit 1) for bad values. */
export function collectOptionsFrom(raw: Raw): CollectOptions {
  const name = raw['textfile.name'] as string;
  if (!/^[^/\0]+\.prom$/.test(name) || name.startsWith('.')) {
    throw new UserError(`--textfile.name ${JSON.stringify(name)} must be a plain file name ending in .prom (node_exporter reads only *.prom)`, EXIT_INVALID);
  }
  const clockList = String(raw['collector.clock.clocks']);
  const clocks = clockList === 'all' ? [...CLOCKS] : clockList.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const unknown = clocks.filter((c) => !(CLOCKS as readonly string[]).includes(c));
  if (unknown.length > 0 || clocks.length === 0) {
    throw new UserError(`--collector.clock.clocks: unknown clock ${unknown.join(', ') || '(none given)'}; choose from ${CLOCKS.join(', ')} or all`, EXIT_INVALID);
  }
  const dir = raw['textfile.directory'] as string | undefined;
  if (dir === '') throw new UserError('--textfile.directory must not be empty', EXIT_INVALID);
  return {
    once: raw.once === true || raw.stdout === true,
    stdout: raw.stdout === true,
    textfileDirectory: dir,
    textfileName: name,
    paths: { procfs: raw['path.procfs'] as string, sysfs: raw['path.sysfs'] as string, rootfs: raw['path.rootfs'] as string },
    vcgencmd: raw.vcgencmd as string | undefined,
    vcgencmdTimeoutMs: duration(raw['vcgencmd.timeout'], '--vcgencmd.timeout', 100),
    intervalMs: duration(raw.interval, '--interval', 1000),
    collectors: COLLECTORS.filter((c) => (raw[`collector.${c.name}`] as boolean | undefined) ?? c.defaultEnabled),
    clocks: [...new Set(clocks)],
  };
}

export interface MainDeps {
  collect?: Partial<CollectDeps>;
  deploy?: Partial<import('./commands/install').DeployDeps>;
  doctor?: Partial<import('./commands/doctor').DoctorDeps>;
}

type Deploy = typeof import('./commands/deploy');
/** Required when used, not imported at the top: collect must never load these commands. */
const deploy = (): Deploy => require('./commands/deploy') as Deploy;

function rootOption(raw: unknown): string {
  const root = String(raw);
  if (!root.startsWith('/')) throw new UserError(`--root ${JSON.stringify(root)} must be an absolute path`, EXIT_INVALID);
  return root.length > 1 ? root.replace(/\/+$/, '') : root;
}

export async function main(argv: readonly string[], io: Io, deps: MainDeps = {}): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('pi-textfile')
    .description(
      [
        'Raspberry Pi hardware metrics for Prometheus node_exporter, and Prometheus',
        'configs for Pi clusters.',
        '',
        '  collect     write throttling, temperature, clocks, voltages, PMIC rails and',
        '              board identity as a .prom file for node_exporter',
        '  gen-config  turn a YAML description of your Pis into prometheus.yml, alert',
        "              rules and node_exporter's arguments (--check: validate, for CI)",
        '  install     set this Pi up: a hardened systemd timer runs collect every 30 s',
        '  uninstall   undo install',
        "  doctor      check every link from vcgencmd to node_exporter's /metrics,",
        '              with a fix for each failure',
        '',
        'First steps on a Pi: sudo pi-textfile install, then pi-textfile doctor.',
      ].join('\n'),
    )
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(`pi-textfile: ${s.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()} (see pi-textfile --help)\n`),
    })
    .showSuggestionAfterError(true);

  const collect = program
    .command('collect')
    .description('collect Raspberry Pi hardware metrics into node_exporter\'s textfile directory')
    .option('--once', 'collect once and exit (what a systemd timer or cron runs); without it, collect every --interval')
    .option('--stdout', 'print the metrics on standard output instead of writing a file (implies --once)')
    .option('--interval <duration>', 'period of the long-running mode', '30s')
    .option(
      '--textfile.directory <dir>',
      `directory node_exporter reads (default: --collector.textfile.directory from /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)`,
    )
    .option('--textfile.name <name>', 'file name in that directory; must end in .prom', 'pi-textfile.prom')
    .option('--path.procfs <dir>', 'procfs mount point', '/proc')
    .option('--path.sysfs <dir>', 'sysfs mount point', '/sys')
    .option('--path.rootfs <dir>', 'root file system mount point', '/')
    .option('--vcgencmd <path>', 'vcgencmd to run (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)')
    .option('--vcgencmd.timeout <duration>', 'time limit for each vcgencmd call; on expiry it is killed', '5s')
    .option('--collector.clock.clocks <list>', `clocks to measure, comma-separated, or "all" (${CLOCKS.join(', ')}); each costs one vcgencmd process per run`, DEFAULT_CLOCKS.join(','));
  for (const c of COLLECTORS) {
    collect.addOption(new Option(`--collector.${c.name}`, `enable the ${c.name} collector: ${c.description}${c.defaultEnabled ? ' (default: enabled)' : ''}`));
    collect.addOption(new Option(`--no-collector.${c.name}`, `disable the ${c.name} collector`));
  }
  collect
    .addHelpText(
      'after',
      `
Examples:
  pi-textfile collect --stdout    print what this machine reports, write nothing
  pi-textfile collect --once      write pi-textfile.prom once, into
                                  node_exporter's textfile directory
  pi-textfile collect --once --collector.clock.clocks=all --no-collector.pmic

Exit codes:
  0  the file was written (or printed), even if some collectors failed: those
     are reported in pi_textfile_collector_success and as one warning line
     each on stderr
  1  invalid flags or values
  2  could not run: output directory missing or not writable, or an internal
     error
`,
    )
    .action(async (raw: Raw) => {
      const opts = collectOptionsFrom(raw);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      if (!opts.once) {
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      }
      try {
        exitCode = await runCollect(opts, io, { ...defaultCollectDeps(), signal: controller.signal, ...deps.collect });
      } finally {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
      }
    });

  program
    .command('gen-config')
    .description('generate prometheus.yml, alert rules and node_exporter\'s ARGS from a cluster description')
    .requiredOption('--config <file>', 'the cluster description (YAML; schema: schemas/cluster.schema.json)')
    .option('--out <dir>', 'write prometheus.yml, pi-textfile.rules.yml and prometheus-node-exporter into DIR (without it: print prometheus.yml)')
    .option('--check', 'only validate the description: exit 0 if valid, 1 listing every problem')
    .option('--force', 'overwrite files in DIR that pi-textfile did not generate')
    .addHelpText(
      'after',
      `
Example cluster.yml:
  cluster: mykube
  nodes:
    - kube-0.local
    - name: kube-1
      address: 192.168.1.101:9100
      labels: {role: worker}

Exit codes:
  0  ok
  1  the description is invalid; every problem is listed as
     FILE:LINE:COLUMN: /pointer: message
  2  could not run: file missing, output directory missing or not writable,
     or a file there that pi-textfile did not generate (use --force)
`,
    )
    .action(async (raw: Raw) => {
      // Required here, not imported at the top: collect must never load yaml or ajv.
      const { runGenConfig } = require('./commands/gen-config') as typeof import('./commands/gen-config');
      exitCode = await runGenConfig({ config: raw.config as string, out: raw.out as string | undefined, check: raw.check === true, force: raw.force === true }, io);
    });

  program
    .command('install')
    .description('install and start the systemd timer that runs collect every 30 seconds (run as root)')
    .option('--dry-run', 'print every action (and every file, in full) instead of doing it')
    .option('--daemon', 'run one long-running collect (pi-textfile-daemon.service) instead of the timer')
    .option('--textfile.directory <dir>', "node_exporter's textfile directory, where pi-textfile.prom is linked (default: from the running node_exporter, else /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)")
    .option('--root <dir>', 'install under DIR instead of / (for images and tests): enables but starts nothing', '/')
    .addHelpText(
      'after',
      `
What it does, in order (idempotent: a second run changes nothing):
  1. writes pi-textfile.service, pi-textfile.timer, pi-textfile-daemon.service
     into /etc/systemd/system, starting this Node and this pi-textfile;
  2. links DIR/pi-textfile.prom (DIR: node_exporter's textfile directory) to
     /run/pi-textfile/pi-textfile.prom: the service writes on tmpfs, so
     nothing is written to the SD card;
  3. systemctl daemon-reload, then enable --now the timer (or the daemon).
The service runs as a transient unprivileged user in group video, sandboxed.

Exit codes:
  0  installed (or, with --dry-run, printed)
  1  invalid flags
  2  could not: not root, no systemd, a file in the way that pi-textfile did
     not write, or a systemctl that failed
`,
    )
    .action((raw: Raw) => {
      const dir = raw['textfile.directory'] as string | undefined;
      if (dir !== undefined && !dir.startsWith('/')) throw new UserError(`--textfile.directory ${JSON.stringify(dir)} must be an absolute path`, EXIT_INVALID);
      const d = deploy();
      exitCode = d.runInstall(
        { dryRun: raw.dryRun === true, daemon: raw.daemon === true, root: rootOption(raw.root), textfileDirectory: dir },
        io,
        { ...d.defaultDeployDeps(), ...deps.deploy },
      );
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
      exitCode = d.runUninstall({ dryRun: raw.dryRun === true, root: rootOption(raw.root) }, io, { ...d.defaultDeployDeps(), ...deps.deploy });
    });

  program
    .command('doctor')
    .description('check that metrics flow from vcgencmd to node_exporter\'s /metrics, and say how to fix what does not')
    .option('--textfile.directory <dir>', "node_exporter's textfile directory (default: from the running node_exporter's command line)")
    .option('--textfile.name <name>', 'the file pi-textfile writes there', 'pi-textfile.prom')
    .option('--max-age <duration>', 'a file older than this is stale', '2m')
    .option('--node-exporter.url <url>', `node_exporter's metrics (default: http://127.0.0.1:PORT/metrics, PORT from its --web.listen-address, else 9100)`)
    .option('--vcgencmd <path>', 'vcgencmd to check (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)')
    .option('--vcgencmd.timeout <duration>', 'time limit for the vcgencmd check', '5s')
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
      if (url !== undefined && !/^http:\/\/[^/]+/.test(url)) throw new UserError(`--node-exporter.url ${JSON.stringify(url)} must be an http:// URL`, EXIT_INVALID);
      const name = raw['textfile.name'] as string;
      const d = deploy();
      exitCode = await d.runDoctor(
        {
          textfileDirectory: raw['textfile.directory'] as string | undefined,
          textfileName: name,
          maxAgeMs: duration(raw.maxAge, '--max-age', 1000),
          url,
          vcgencmd: raw.vcgencmd as string | undefined,
          vcgencmdTimeoutMs: duration(raw['vcgencmd.timeout'], '--vcgencmd.timeout', 100),
        },
        io,
        { ...d.defaultDoctorDeps(), ...deps.doctor },
      );
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
      if (err.code === 'commander.help') return argv.length === 0 ? EXIT_INVALID : EXIT_OK;
      return EXIT_INVALID;
    }
    // By name, not instanceof: gen-config and deploy are compiled separately in the bundle (see scripts/build.mjs).
    if (err instanceof Error && err.name === 'UserError') {
      io.stderr(`pi-textfile: ${err.message}\n`);
      return (err as UserError).exitCode;
    }
    io.stderr(
      `pi-textfile: internal error; please report it at the project's issue tracker with this output:\n${err instanceof Error ? err.stack : String(err)}\n`,
    );
    return EXIT_CANNOT_RUN;
  }
}
