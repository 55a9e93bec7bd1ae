/** collect's flags and help as commander declares them, for `pi-textfile collect --help` (see program.ts). */
import { Option, type Command } from 'commander';
import type { CollectDeps } from '../commands/collect';
import type { Io } from '../lib/io';
import { COLLECTORS } from '../collectors/index';
import { COLLECT_DEFAULTS, runCollectCommand } from './collect';
import type { Raw } from './common';

export function registerCollect(program: Command, io: Io, deps: Partial<CollectDeps>, done: (code: number) => void): void {
  const collect = program
    .command('collect')
    .description("collect Raspberry Pi hardware metrics into node_exporter's textfile directory")
    .option('--once', 'collect once and exit (what a systemd timer or cron runs); without it, collect every --interval')
    .option('--stdout', 'print the metrics on standard output instead of writing a file (implies --once)')
    .option('--interval <duration>', 'period of the long-running mode', COLLECT_DEFAULTS.interval)
    .option(
      '--textfile.directory <dir>',
      "directory node_exporter reads (default: the running node_exporter's --collector.textfile.directory, else the one in /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)",
    )
    .option('--textfile.name <name>', 'file name in that directory; must end in .prom', COLLECT_DEFAULTS['textfile.name'])
    .option('--path.procfs <dir>', 'procfs mount point', COLLECT_DEFAULTS['path.procfs'])
    .option('--path.sysfs <dir>', 'sysfs mount point', COLLECT_DEFAULTS['path.sysfs'])
    .option('--path.rootfs <dir>', "root file system mount point: where /etc/default/prometheus-node-exporter and node_exporter's default directory are found", COLLECT_DEFAULTS['path.rootfs'])
    .option('--vcgencmd <path>', 'vcgencmd to run (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)')
    .option('--vcgencmd.timeout <duration>', 'time limit for each vcgencmd call; on expiry it is killed', COLLECT_DEFAULTS['vcgencmd.timeout'])
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
     per cause on stderr
  1  invalid flags or values
  2  could not run: --path.procfs or --path.sysfs is not a procfs or sysfs,
     output directory missing or not writable, or an internal error
`,
    )
    .action(async (raw: Raw) => done(await runCollectCommand(raw, io, deps)));
}
