/**
 * The command line: `main(argv, io)` returns the exit code; bin.ts is the thin shell around it.
 * `collect` (what a timer starts every 30 s) is parsed by cli/collect.ts's own small parser; --help,
 * --version and every other command load the commander program (program.ts, a part of its own),
 * so collect's start-up never evaluates commander.
 */
import type { Io } from '../lib/io';
import { parseCollectArgv, runCollectCommand } from './collect';
import { reportError } from './common';
import type { MainDeps } from './program';

export async function main(argv: readonly string[], io: Io, deps: MainDeps = {}): Promise<number> {
  if (argv[0] === 'collect' && !argv.slice(1).some((a) => a === '--help' || a === '-h')) {
    try {
      return await runCollectCommand(parseCollectArgv(argv.slice(1)), io, deps.collect ?? {});
    } catch (err) {
      return reportError(err, io);
    }
  }
  const { runProgram } = require('./program') as typeof import('./program');
  return runProgram(argv, io, deps);
}
