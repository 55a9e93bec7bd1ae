/** What the command line's parts share: how an error reaches the user, durations, paths. */
import { parseDuration } from '../lib/duration';
import { EXIT_CANNOT_RUN, EXIT_INVALID, UserError } from '../lib/errors';
import type { Io } from '../lib/io';

export type Raw = Record<string, unknown>;

/**
 * A Prometheus-style duration flag between `minMs` and `maxMs`. Throws UserError (exit 1)
 * otherwise: a timer longer than about 24.8 days (2^31 - 1 ms) would fire at once in Node.
 */
export function durationFlag(raw: unknown, flag: string, minMs: number, maxMs: number): number {
  const ms = typeof raw === 'string' ? parseDuration(raw) : null;
  if (ms === null) throw new UserError(`${flag} ${JSON.stringify(raw)} is not a duration; write it like 5s, 500ms or 1m30s`, EXIT_INVALID);
  if (ms < minMs) throw new UserError(`${flag} ${raw} is too short; the minimum is ${formatMs(minMs)}`, EXIT_INVALID);
  if (ms > maxMs) throw new UserError(`${flag} ${raw} is too long; the maximum is ${formatMs(maxMs)}`, EXIT_INVALID);
  return ms;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86400e3], ['h', 3600e3], ['m', 60e3], ['s', 1e3]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** An absolute directory flag, without trailing slashes. */
export function absoluteFlag(raw: unknown, flag: string): string {
  const dir = String(raw);
  if (!dir.startsWith('/')) throw new UserError(`${flag} ${JSON.stringify(dir)} must be an absolute path`, EXIT_INVALID);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/** An error that reached the top: one line for the user's own problems, a stack for a bug. */
export function reportError(err: unknown, io: Io): number {
  if (err instanceof UserError) {
    io.stderr(`pi-textfile: ${err.message}\n`);
    return err.exitCode;
  }
  io.stderr(`pi-textfile: internal error; please report it at the project's issue tracker with this output:\n${err instanceof Error ? err.stack : String(err)}\n`);
  return EXIT_CANNOT_RUN;
}
