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
}

export async function main(argv: readonly string[], io: Io, deps: MainDeps = {}): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('pi-textfile')
    .description(
      'Raspberry Pi hardware metrics for Prometheus node_exporter, and Prometheus configs for Pi clusters.\n\n' +
        'collect     read throttling, temperature, clocks, voltages, PMIC rails, board and firmware\n' +
        '            identity, and write them as a .prom file for node_exporter\'s textfile collector\n' +
        'gen-config  turn a short YAML description of your Pis into prometheus.yml, alert rules and\n' +
        '            node_exporter\'s arguments; --check validates it (for CI)',
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
  pi-textfile collect --stdout          print what this machine reports, write nothing
  pi-textfile collect --once            write pi-textfile.prom once into node_exporter's directory
  pi-textfile collect --once --collector.clock.clocks=all --no-collector.firmware

Exit codes:
  0  the file was written (or printed), even if some collectors failed: failures are reported in
     pi_textfile_collector_success and as one warning line each on stderr
  1  invalid flags or values
  2  could not run: output directory missing or not writable, or an internal error
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
  1  the description is invalid; every problem is listed as FILE:LINE:COLUMN: /pointer: message
  2  could not run: file missing, output directory missing or not writable, or a file there that
     pi-textfile did not generate (use --force)
`,
    )
    .action(async (raw: Raw) => {
      // Required here, not imported at the top: collect must never load yaml or ajv.
      const { runGenConfig } = require('./commands/gen-config') as typeof import('./commands/gen-config');
      exitCode = await runGenConfig({ config: raw.config as string, out: raw.out as string | undefined, check: raw.check === true, force: raw.force === true }, io);
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
    // By name, not instanceof: gen-config is compiled separately in the bundle (see scripts/build.mjs).
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
