/** What several commands' flags share: durations, paths, and the Io every command writes to. */
import { parseDuration } from '../duration';
import { EXIT_INVALID, UserError } from '../errors';

export type Raw = Record<string, unknown>;

/** A Prometheus-style duration flag, at least `minMs`. Throws UserError (exit 1) otherwise. */
export function durationFlag(raw: unknown, flag: string, minMs: number): number {
  const ms = typeof raw === 'string' ? parseDuration(raw) : null;
  if (ms === null) throw new UserError(`${flag} ${JSON.stringify(raw)} is not a duration; write it like 5s, 500ms or 1m30s`, EXIT_INVALID);
  if (ms < minMs) throw new UserError(`${flag} ${raw} is too short; the minimum is ${minMs / 1000}s`, EXIT_INVALID);
  return ms;
}

/** An absolute directory flag, without trailing slashes. */
export function absoluteFlag(raw: unknown, flag: string): string {
  const dir = String(raw);
  if (!dir.startsWith('/')) throw new UserError(`${flag} ${JSON.stringify(dir)} must be an absolute path`, EXIT_INVALID);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}
