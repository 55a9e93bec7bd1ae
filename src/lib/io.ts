/** What every command writes to, and how it is asked to stop. */

/** stdout for data, stderr for diagnostics; tests pass collecting functions. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * A stop request, as an AbortSignal carries one (tests pass AbortController's); the CLI's own
 * is a plain object, since loading AbortController costs collect's start-up about 1 ms.
 */
export interface StopSignal {
  readonly aborted: boolean;
  /** Why: the signal's name (SIGTERM, SIGINT) for the CLI's own. */
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
