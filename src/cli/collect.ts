/**
 * `pi-textfile collect`: its flags (the per-collector ones generated from the registry), their
 * validation, and its help.
 */
import { Option, type Command } from 'commander';
import { COLLECTORS } from '../framework/registry';
import { defaultCollectDeps, runCollect, type CollectDeps, type CollectOptions, type Io } from '../commands/collect';
import { EXIT_INVALID, UserError } from '../errors';
import type { VcgencmdRunner } from '../framework/vcgencmd';
import { durationFlag, type Raw } from './common';

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Turns commander's raw values into CollectOptions; throws UserError (exit 1) for bad values. */
export function collectOptionsFrom(raw: Raw): CollectOptions {
  const name = raw['textfile.name'] as string;
  if (!/^[^/\0]+\.prom$/.test(name) || name.startsWith('.')) {
    throw new UserError(`--textfile.name ${JSON.stringify(name)} must be a plain file name ending in .prom (node_exporter reads only *.prom)`, EXIT_INVALID);
  }
  const dir = raw['textfile.directory'] as string | undefined;
  if (dir === '') throw new UserError('--textfile.directory must not be empty', EXIT_INVALID);
  const byDefault = raw['collector.disableDefaults'] !== true;
  const collectors = COLLECTORS.filter((c) => (raw[`collector.${c.name}`] as boolean | undefined) ?? (byDefault && c.defaultEnabled)).map((collector) => {
    const options: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(collector.options)) {
      const flag = `collector.${collector.name}.${key}`;
      try {
        options[key] = spec.parse(String(raw[flag] ?? spec.default));
      } catch (err) {
        throw new UserError(`--${flag}: ${(err as Error).message}`, EXIT_INVALID);
      }
    }
    return { collector, options };
  });
  return {
    once: raw.once === true || raw.stdout === true,
    stdout: raw.stdout === true,
    textfileDirectory: dir,
    textfileName: name,
    paths: { procfs: raw['path.procfs'] as string, sysfs: raw['path.sysfs'] as string, rootfs: raw['path.rootfs'] as string },
    vcgencmd: raw.vcgencmd as string | undefined,
    vcgencmdTimeoutMs: durationFlag(raw['vcgencmd.timeout'], '--vcgencmd.timeout', 100),
    intervalMs: durationFlag(raw.interval, '--interval', 1000),
    collectors,
  };
}

export function registerCollect(program: Command, io: Io, deps: Partial<CollectDeps>, done: (code: number) => void): void {
  const collect = program
    .command('collect')
    .description("collect Raspberry Pi hardware metrics into node_exporter's textfile directory")
    .option('--once', 'collect once and exit (what a systemd timer or cron runs); without it, collect every --interval')
    .option('--stdout', 'print the metrics on standard output instead of writing a file (implies --once)')
    .option('--interval <duration>', 'period of the long-running mode', '30s')
    .option(
      '--textfile.directory <dir>',
      "directory node_exporter reads (default: the running node_exporter's --collector.textfile.directory, else the one in /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)",
    )
    .option('--textfile.name <name>', 'file name in that directory; must end in .prom', 'pi-textfile.prom')
    .option('--path.procfs <dir>', 'procfs mount point', '/proc')
    .option('--path.sysfs <dir>', 'sysfs mount point', '/sys')
    .option('--path.rootfs <dir>', "root file system mount point: where /etc/default/prometheus-node-exporter and node_exporter's default directory are found", '/')
    .option('--vcgencmd <path>', 'vcgencmd to run (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)')
    .option('--vcgencmd.timeout <duration>', 'time limit for each vcgencmd call; on expiry it is killed', '5s')
    .option('--collector.disable-defaults', 'enable only the collectors named with --collector.NAME (as in node_exporter)');
  for (const c of COLLECTORS) {
    collect.addOption(new Option(`--collector.${c.name}`, `enable the ${c.name} collector: ${c.description}${c.defaultEnabled ? ' (default: enabled)' : ''}`));
    collect.addOption(new Option(`--no-collector.${c.name}`, `disable the ${c.name} collector`));
    for (const [key, spec] of Object.entries(c.options)) {
      collect.addOption(new Option(`--collector.${c.name}.${key} <value>`, spec.help).default(spec.default));
    }
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
  pi-textfile collect --stdout --collector.disable-defaults --collector.throttled

Exit codes:
  0  the file was written (or printed), even if some collectors failed: those
     are reported in pi_textfile_collector_success and as one warning line
     each on stderr
  1  invalid flags or values
  2  could not run: --path.procfs or --path.sysfs is not a procfs or sysfs,
     output directory missing or not writable, or an internal error
`,
    )
    .action(async (raw: Raw) => {
      const opts = collectOptionsFrom(raw);
      // A stop request ends the loop, ends every vcgencmd still running, and writes nothing more.
      const controller = new AbortController();
      const runners = new Set<VcgencmdRunner>();
      let signal: string | undefined;
      const stop = (name: string): void => {
        signal ??= name;
        controller.abort();
        for (const r of runners) r.killAll();
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
      try {
        const code = await runCollect(opts, io, {
          ...defaultCollectDeps(),
          signal: controller.signal,
          onRunner: (r) => {
            runners.clear();
            runners.add(r);
          },
          ...deps,
        });
        // Asked to stop in the middle of a single run: nothing was written; say so by the exit code.
        done(signal !== undefined && opts.once ? SIGNAL_EXIT[signal]! : code);
      } finally {
        process.removeListener('SIGTERM', onTerm);
        process.removeListener('SIGINT', onInt);
      }
    });
}
