/**
 * Runs `vcgencmd`, the Raspberry Pi firmware's command interface. This is the only module that
 * starts vcgencmd (collect and doctor both go through it).
 *
 * - Arguments are passed as a list, never through a shell.
 * - Every call has a hard timeout; on expiry the child gets SIGKILL.
 * - Children stay in pi-textfile's own process group, so whoever kills that group (systemd,
 *   `timeout` from cron, a terminal's Ctrl-C) kills them too; `killAll` ends them when
 *   pi-textfile itself is asked to stop. None is left running.
 * - A firmware that hangs hangs for every call, so after the first timeout the runner trips: later
 *   calls in the same run fail at once instead of each waiting out its own timeout.
 * - Failures are classified (missing, permission, firmware error, timeout, ...) into a
 *   VcgencmdError whose message says what to do.
 *
 * Output formats and error texts: raspberrypi/utils vcgencmd/vcgencmd.c (current, mailbox based)
 * and raspberrypi/userland host_applications/linux/apps/gencmd/gencmd.c (legacy, VCHI based).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type VcgencmdFailure = 'missing' | 'permission' | 'firmware' | 'timeout' | 'exit' | 'skipped';

export class VcgencmdError extends Error {
  constructor(
    readonly kind: VcgencmdFailure,
    message: string,
    /** What the process said first (stdout, else stderr) and its exit status, when it ran. */
    readonly said?: { line: string; status: number | null },
  ) {
    super(message);
    this.name = 'VcgencmdError';
  }
}

export interface VcgencmdOptions {
  /** Explicit path (--vcgencmd); when unset, PATH then the well-known locations are searched. */
  path?: string;
  timeoutMs: number;
  /** PATH to search; defaults to process.env.PATH. */
  searchPath?: string;
  /** Run vcgencmd through this command (doctor: setpriv, to run it as the service's user). */
  prefix?: readonly string[];
}

export const WELL_KNOWN_PATHS = ['/usr/bin/vcgencmd', '/opt/vc/bin/vcgencmd'];

const PERMISSION_HINT =
  'add the user that runs pi-textfile to the "video" group (sudo usermod -aG video USER, then start a new session), ' +
  'and check that /dev/vcio (or /dev/vchiq on older systems) exists and belongs to group video with mode 0660';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Finds vcgencmd: PATH first, then /usr/bin/vcgencmd, then /opt/vc/bin/vcgencmd. */
export function findVcgencmd(searchPath: string | undefined): string | null {
  const dirs = (searchPath ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const candidate of [...dirs.map((d) => path.join(d, 'vcgencmd')), ...WELL_KNOWN_PATHS]) {
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * PURE: turns the outcome of one vcgencmd call into its stdout or a VcgencmdError.
 * `code` is the exit status (null when killed), `output` is stdout followed by stderr.
 */
export function classifyResult(args: readonly string[], code: number | null, stdout: string, stderr: string): string {
  const command = `vcgencmd ${args.join(' ')}`;
  const text = `${stdout}\n${stderr}`;
  const said = { line: firstLine(text), status: code };
  const fail = (kind: VcgencmdFailure, message: string): never => {
    throw new VcgencmdError(kind, message, said);
  };
  if (/Can't open device file|VCHI (initialization|connection) failed|failed to open vchiq|Permission denied/i.test(text)) {
    const detail = firstLine(text.match(/^.*(Can't open device file|VCHI|vchiq|Permission denied).*$/im)?.[0] ?? '');
    return fail('permission', `${command} cannot reach the firmware (${detail}); ${PERMISSION_HINT}`);
  }
  const firmware = text.match(/error=(-?\d+)\s+error_msg="([^"]*)"/);
  if (firmware) {
    return fail('firmware', `${command}: the firmware answered error ${firmware[1]} "${firmware[2]}"`);
  }
  if (code !== 0) {
    const said = firstLine(stderr) || firstLine(stdout);
    return fail('exit', `${command} exited with status ${code}${said ? `: ${said}` : ''}`);
  }
  return stdout;
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}


export interface VcgencmdRunner {
  run(args: readonly string[]): Promise<string>;
  /** The vcgencmd that runs (throws a VcgencmdError if there is none). */
  resolve(): string;
  /** Kills every call still running (on SIGTERM/SIGINT and at exit). */
  killAll(): void;
  /** Number of processes started so far (for tests and the benchmark). */
  readonly spawned: number;
}

export function createVcgencmd(options: VcgencmdOptions): VcgencmdRunner {
  let resolved: string | null | undefined;
  let tripped: string | null = null;
  let spawned = 0;
  const live = new Set<number>();
  const killAll = (): void => {
    for (const pid of live) kill(pid);
  };

  function resolve(): string {
    if (resolved === undefined) {
      if (options.path !== undefined) resolved = isExecutable(options.path) ? options.path : null;
      else resolved = findVcgencmd(options.searchPath ?? process.env.PATH);
    }
    if (resolved === null) {
      throw new VcgencmdError(
        'missing',
        options.path !== undefined
          ? `vcgencmd not found or not executable at ${options.path} (--vcgencmd)`
          : `vcgencmd not found on PATH, /usr/bin or /opt/vc/bin; install it (Raspberry Pi OS: sudo apt install raspi-utils; ` +
            `older releases: libraspberrypi-bin) or pass --vcgencmd PATH`,
      );
    }
    return resolved;
  }

  function run(args: readonly string[]): Promise<string> {
    return new Promise<string>((resolvePromise, reject) => {
      if (tripped !== null) {
        reject(new VcgencmdError('skipped', `vcgencmd not attempted: ${tripped}`));
        return;
      }
      let file: string;
      try {
        file = resolve();
      } catch (err) {
        reject(err);
        return;
      }
      const prefix = options.prefix ?? [];
      const child = spawn(prefix.length > 0 ? prefix[0]! : file, [...prefix.slice(1), ...(prefix.length > 0 ? [file] : []), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
      spawned++;
      if (child.pid !== undefined) {
        if (live.size === 0) process.on('exit', killAll);
        live.add(child.pid);
      }
      let stdout = '';
      let stderr = '';
      let settled = false;
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < 65536) stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 65536) stderr += d;
      });
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.pid !== undefined) {
          live.delete(child.pid);
          if (live.size === 0) process.removeListener('exit', killAll);
        }
        fn();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        const seconds = options.timeoutMs / 1000;
        tripped = `an earlier vcgencmd call did not answer within ${seconds}s`;
        if (child.pid !== undefined) kill(child.pid);
        // Do not wait for pipes a stray grandchild might hold open.
        child.stdout.destroy();
        child.stderr.destroy();
        finish(() =>
          reject(
            new VcgencmdError(
              'timeout',
              `vcgencmd ${args.join(' ')} did not answer within ${seconds}s and was killed; the firmware may be hung ` +
                `(check dmesg for "Firmware transaction timeout"), or raise --vcgencmd.timeout`,
            ),
          ),
        );
      }, options.timeoutMs);
      child.on('error', (err: NodeJS.ErrnoException) => {
        finish(() =>
          reject(
            err.code === 'ENOENT'
              ? new VcgencmdError('missing', `vcgencmd not found at ${file}`)
              : err.code === 'EACCES'
                ? new VcgencmdError('permission', `${file} is not executable by this user (permission denied)`)
                : new VcgencmdError('exit', `cannot start ${file}: ${err.message}`),
          ),
        );
      });
      child.on('close', (code: number | null) => {
        if (timedOut) return;
        finish(() => {
          try {
            resolvePromise(classifyResult(args, code, stdout, stderr));
          } catch (err) {
            reject(err);
          }
        });
      });
    });
  }

  return {
    run,
    resolve,
    killAll,
    get spawned() {
      return spawned;
    },
  };
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
