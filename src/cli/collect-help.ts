/** collect's flags (COLLECT_FLAGS, the same list its own parser reads) as commander declares them, for `pi-textfile collect --help` (see program.ts). */
import { Option, type Command } from 'commander';
import type { CollectDeps } from '../commands/collect';
import type { Io } from '../lib/io';
import { COLLECT_FLAGS, collectorFlags, runCollectCommand } from './collect';
import type { Raw } from './common';

export function registerCollect(program: Command, io: Io, deps: Partial<CollectDeps>, done: (code: number) => void): void {
  const collect = program.command('collect').description("collect Raspberry Pi hardware metrics into node_exporter's textfile directory");
  for (const f of [...COLLECT_FLAGS, ...collectorFlags()]) {
    const option = new Option(f.value === undefined ? `--${f.name}` : `--${f.name} <${f.value}>`, f.help);
    collect.addOption(f.default === undefined ? option : option.default(f.default));
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
