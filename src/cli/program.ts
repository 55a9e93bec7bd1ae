/**
 * The whole command line as a commander program: every command's flags and help. Loaded only for
 * --help, --version and the commands other than collect (main.ts parses collect's flags itself,
 * so that collect's start-up never evaluates commander).
 */
import { Command, CommanderError } from 'commander';
import type { Io } from '../lib/io';
import { EXIT_INVALID, EXIT_OK } from '../lib/errors';
import { version } from '../../package.json';
import { registerCollect } from './collect-help';
import { registerDeploy } from './deploy';
import { registerGenConfig } from './gen-config';
import type { CollectDeps } from '../commands/collect';
import { reportError } from './common';
import type { DeployCliDeps } from './deploy';

/** What tests may replace, for every command. */
export interface MainDeps extends DeployCliDeps {
  collect?: Partial<CollectDeps>;
}

export async function runProgram(argv: readonly string[], io: Io, deps: MainDeps): Promise<number> {
  let exitCode = EXIT_OK;
  const done = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('pi-textfile')
    .description(
      [
        'Raspberry Pi hardware metrics for Prometheus node_exporter, and Prometheus',
        'configs for Pi clusters.',
        '',
        '  collect     write throttling, temperature, clocks, voltages, PMIC rails,',
        '              board, storage and firmware facts as a .prom file for',
        '              node_exporter',
        '  gen-config  turn a YAML description of your Pis into prometheus.yml, alert',
        "              rules, node_exporter's arguments, Grafana dashboards and",
        '              Alertmanager routing (--check: validate, for CI)',
        '  install     set this Pi up: a hardened systemd timer runs collect every 30 s',
        '  uninstall   undo install',
        "  doctor      check every link from vcgencmd to node_exporter's /metrics,",
        '              with a fix for each failure',
        '',
        'First steps on a Pi: install the Debian package (sudo apt install',
        './pi-textfile_VERSION_all.deb: its timer starts at once), then check it',
        'with sudo pi-textfile doctor. From the npm tarball instead: sudo pi-textfile',
        'install, then sudo pi-textfile doctor.',
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

  registerCollect(program, io, deps.collect ?? {}, done);
  registerGenConfig(program, io, done);
  registerDeploy(program, io, deps, done);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
      if (err.code === 'commander.help') return argv.length === 0 ? EXIT_INVALID : EXIT_OK;
      return EXIT_INVALID;
    }
    return reportError(err, io);
  }
}
