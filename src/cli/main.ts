/**
 * The command line: `main(argv, io)` returns the exit code; bin.ts is the thin shell around it.
 * `collect` (what a timer starts every 30 s) is parsed by cli/collect.ts's own small parser; --help,
 * --version and every other command load the commander program (program.ts, a part of its own),
 * so collect's start-up never evaluates commander.
 */
import type { CollectDeps, Io } from '../commands/collect';
import { EXIT_CANNOT_RUN } from '../errors';
import { parseCollectArgv, runCollectCommand } from './collect';
import type { DeployCliDeps } from './deploy';

export interface MainDeps extends DeployCliDeps {
  collect?: Partial<CollectDeps>;
}

/** An error that reached the top: one line for the user's own problems, a stack for a bug. */
export function reportError(err: unknown, io: Io): number {
  // By name, not instanceof: gen-config and deploy are separate parts of the program (see scripts/build.mjs).
  if (err instanceof Error && err.name === 'UserError') {
    io.stderr(`pi-textfile: ${err.message}\n`);
    return (err as Error & { exitCode: number }).exitCode;
  }
  io.stderr(`pi-textfile: internal error; please report it at the project's issue tracker with this output:\n${err instanceof Error ? err.stack : String(err)}\n`);
  return EXIT_CANNOT_RUN;
}

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
