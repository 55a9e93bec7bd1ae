/**
 * Error classes shared by every command.
 *
 * - UserError: an expected problem the user can fix. Printed as one line, never with a stack.
 *   `exitCode` is 1 for invalid input and 2 for "could not run".
 * - ValidationError: invalid input with several problems, each already formatted for a person.
 * Anything else that reaches the top level is an internal error: it prints a stack and asks for a
 * bug report.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class ValidationError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
    this.name = 'ValidationError';
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
