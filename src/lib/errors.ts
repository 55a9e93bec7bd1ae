/**
 * Error classes shared by every command, and the one way errors are recognised.
 *
 * - ExpectedError: a problem whose message is meant for a person (a missing file, a firmware that
 *   said no, output that does not parse). Anything else that reaches the top is an internal error:
 *   it prints a stack and asks for a bug report.
 * - UserError: an expected problem that ends the command. Printed as one line, never with a stack.
 *   `exitCode` is 1 for invalid input and 2 for "could not run".
 *
 * `instanceof` works on these classes across the separately bundled parts of the program
 * (scripts/build.mjs: gen-config.cjs and deploy.cjs each carry their own copy of this file): each
 * error carries the kinds of its class chain under a registry symbol, and the classes answer
 * `instanceof` from those kinds, not from their prototype.
 */
const KINDS = Symbol.for('pi-textfile.error-kinds');

export class ExpectedError extends Error {
  /** The class's name, set explicitly by every subclass: minified code renames classes. */
  static readonly kind: string = 'ExpectedError';
  declare readonly [KINDS]: readonly string[];

  constructor(message: string) {
    super(message);
    const kinds: string[] = [];
    for (let c = new.target as typeof ExpectedError | undefined; c !== undefined && c.kind !== undefined; c = Object.getPrototypeOf(c) as typeof ExpectedError | undefined) {
      if (!kinds.includes(c.kind)) kinds.push(c.kind);
    }
    Object.defineProperty(this, KINDS, { value: kinds });
    this.name = kinds[0]!;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = typeof value === 'object' && value !== null ? (value as { [KINDS]?: readonly string[] })[KINDS] : undefined;
    return kinds !== undefined && kinds.includes(this.kind);
  }
}

export class UserError extends ExpectedError {
  static override readonly kind: string = 'UserError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** Exit codes, documented in the README. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_CANNOT_RUN = 2;

/** One-line description of an fs error, e.g. "permission denied" for EACCES. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'is on a read-only file system';
    case 'ENOTDIR':
      return 'is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
