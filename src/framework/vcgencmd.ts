/**
 * Runs `vcgencmd`, the Raspberry Pi firmware's command interface. This is the only module that
 * starts vcgencmd (collect and doctor both go through it).
 *
 * - Arguments are passed as a list, never through a shell.
 * - Every call has a hard timeout; on expiry the child gets SIGKILL.
 * - Children stay in pi-textfile's own process group, so whoever kills that group (systemd,
 *   `timeout` from cron, a terminal's Ctrl-C) kills them too; `stop` refuses every later call
 *   when pi-textfile itself is asked to stop.
 * - A firmware that hangs hangs for every call, so after the first timeout the runner trips: later
 *   calls in the same run fail at once instead of each waiting out its own timeout.
 * - Failures are classified (missing, permission, firmware error, timeout, ...) into a
 *   VcgencmdError whose message says what to do.
 * - Calls are synchronous spawns, one at a time (collect's and doctor's alike): the firmware
 *   serialises mailbox calls, so waiting in parallel buys nothing, and a synchronous spawn
 *   creates no streams, sockets or timers (measured in the long-running mode: about 2 ms less
 *   CPU per collection of three calls, and a smaller resident size), through spawn-sync.ts, which does not load
 *   child_process (see there why). A stop request that arrives during a synchronous call is
 *   seen only when the event loop turns: it turns before the next call (and before collect
 *   writes) whenever a call took SLOW_CALL_MS or more or its vcgencmd was ended by a signal, so
 *   a stop reaching pi-textfile alone waits for that call to return or time out
 *   (--vcgencmd.timeout), and no later call starts. After fast calls it does not turn: a run of
 *   fast calls ends a few milliseconds later anyway, and each turn costs a start-up the Node
 *   code of setImmediate. systemd, `timeout` and a terminal signal the whole process group,
 *   which ends vcgencmd at once.
 * - `perBootCaller` answers from the boot cache what cannot change before the next boot.
 *
 * Output formats and error texts: raspberrypi/utils vcgencmd/vcgencmd.c (current, mailbox based)
 * and raspberrypi/userland host_applications/linux/apps/gencmd/gencmd.c (legacy, VCHI based).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExpectedError } from '../lib/errors';
import type { BootCache } from './boot-cache';
import type { CollectContext } from './collector';
import { spawnSyncOutcome } from './spawn-sync';

export type VcgencmdFailure = 'missing' | 'permission' | 'firmware' | 'timeout' | 'exit' | 'skipped';

export class VcgencmdError extends ExpectedError {
  static override readonly kind: string = 'VcgencmdError';
  constructor(
    readonly kind: VcgencmdFailure,
    message: string,
    /** What the process said first (stdout, else stderr) and its exit status, when it ran. */
    readonly said?: { line: string; status: number | null },
  ) {
    super(message);
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

/** What vcgencmd may print that is kept (its real answers are under 2 KiB). */
const MAX_OUTPUT = 65536;

const WELL_KNOWN_PATHS = ['/usr/bin/vcgencmd', '/opt/vc/bin/vcgencmd'];

const PERMISSION_HINT =
  'add the user that runs pi-textfile to the "video" group (sudo usermod -aG video USER, then start a new session), ' +
  'and check that /dev/vcio (or /dev/vchiq on older systems) exists and belongs to group video with mode 0660';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Finds vcgencmd: PATH first, then /usr/bin/vcgencmd, then /opt/vc/bin/vcgencmd. */
export function findVcgencmd(searchPath: string | undefined): string | null {
  const dirs = (searchPath ?? '').split(delimiter).filter((d) => d !== '');
  for (const candidate of [...dirs.map((d) => join(d, 'vcgencmd')), ...WELL_KNOWN_PATHS]) {
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * PURE: turns the outcome of one vcgencmd call into its stdout or a VcgencmdError.
 * `code` is the exit status (null when killed), `output` is stdout followed by stderr.
 */
export function classifyResult(args: readonly string[], code: number | null, stdout: string, stderr: string): string {
  const text = `${stdout}\n${stderr}`;
  // The answer of nearly every call: a clean exit that names no failure. Said first, because the
  // patterns below cost each run a compilation of theirs.
  const lower = text.toLowerCase();
  const mayTellOfFailure = lower.includes('device file') || lower.includes('vchi') || lower.includes('denied') || lower.includes('error=');
  if (code === 0 && !mayTellOfFailure) return stdout;
  const command = `vcgencmd ${args.join(' ')}`;
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
  /** Refuses every later call (on SIGTERM/SIGINT: a call under way ends with its process group or its timeout). */
  stop(): void;
  /** Number of processes started so far (for tests and the benchmark). */
  readonly spawned: number;
  /**
   * Turns the event loop once if a stop signal may be waiting for it: a synchronous call since
   * the last turn was slow or ended by a signal (see the top of this file). Resolves at once otherwise.
   */
  letSignalsIn(): Promise<void>;
}

/** A synchronous call at least this long (ms) may have hidden a stop signal (see the top of this file). */
const SLOW_CALL_MS = 100;

let childEnvironment: NodeJS.ProcessEnv | undefined;

/**
 * vcgencmd's environment: the C locale, PATH (where the command doctor runs it through is
 * found) and LD_LIBRARY_PATH if set (the legacy tools under /opt/vc link libraries beside them);
 * nothing else of pi-textfile's environment reaches it. Built once. Node copies the environment
 * into every call, so a small one also costs each call less (about 12 KiB of allocations and
 * their time with a shell's 40 variables).
 */
export function childEnv(): NodeJS.ProcessEnv {
  if (childEnvironment === undefined) {
    const env: NodeJS.ProcessEnv = { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
    const libraries = process.env.LD_LIBRARY_PATH;
    if (libraries !== undefined) env.LD_LIBRARY_PATH = libraries;
    childEnvironment = env;
  }
  return childEnvironment;
}

export function createVcgencmd(options: VcgencmdOptions): VcgencmdRunner {
  let resolved: string | null | undefined;
  let tripped: string | null = null;
  let spawned = 0;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();
  let signalMayWait = false;
  const letSignalsIn = async (): Promise<void> => {
    if (!signalMayWait) return;
    signalMayWait = false;
    // One turn of the event loop: signals that arrived meanwhile are handled.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const stop = (): void => {
    stopped = true;
  };
  const refused = (): VcgencmdError | null =>
    stopped ? new VcgencmdError('skipped', 'vcgencmd not attempted: pi-textfile is stopping') : tripped !== null ? new VcgencmdError('skipped', `vcgencmd not attempted: ${tripped}`) : null;

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

  const timeoutError = (args: readonly string[]): VcgencmdError => {
    const seconds = options.timeoutMs / 1000;
    tripped = `an earlier vcgencmd call did not answer within ${seconds}s`;
    return new VcgencmdError(
      'timeout',
      `vcgencmd ${args.join(' ')} did not answer within ${seconds}s and was killed; the firmware may be hung ` +
        `(check dmesg for "Firmware transaction timeout"), or raise --vcgencmd.timeout`,
    );
  };
  /** `code`: the errno name (ENOENT, EACCES, ...) of a vcgencmd that could not be started. */
  const startError = (file: string, code: string): VcgencmdError =>
    code === 'ENOENT'
      ? new VcgencmdError('missing', `vcgencmd not found at ${file}`)
      : code === 'EACCES'
        ? new VcgencmdError('permission', `${file} is not executable by this user (permission denied)`)
        : new VcgencmdError('exit', `cannot start ${file}: ${code}`);

  /** The command line for one call: vcgencmd and its arguments, behind the prefix if any. */
  const commandLine = (file: string, args: readonly string[]): [string, string[]] => {
    const prefix = options.prefix ?? [];
    return prefix.length > 0 ? [prefix[0]!, [...prefix.slice(1), file, ...args]] : [file, [...args]];
  };

  /** One call, synchronously: the answer, or a VcgencmdError thrown. */
  function runSync(args: readonly string[]): string {
    const refusal = refused();
    if (refusal !== null) throw refusal;
    const file = resolve();
    spawned++;
    const [command, argv] = commandLine(file, args);
    const started = Date.now();
    let r;
    try {
      r = spawnSyncOutcome(command, argv, { env: childEnv(), timeoutMs: options.timeoutMs, maxBuffer: MAX_OUTPUT });
    } catch (err) {
      throw new VcgencmdError('exit', `cannot start ${file}: ${(err as Error).message}`);
    }
    if (r.signal !== null || Date.now() - started >= SLOW_CALL_MS) signalMayWait = true;
    if (r.error !== undefined) {
      if (r.error === 'ETIMEDOUT') throw timeoutError(args);
      // Output past the cap: the child was killed; judge what it said before that.
      if (r.error !== 'ENOBUFS') throw startError(file, r.error);
    }
    return classifyResult(args, r.status, r.stdout, r.stderr);
  }

  function run(args: readonly string[]): Promise<string> {
    // One call at a time; after a slow one the event loop turns first, so that a stop signal
    // that arrived during it is handled (stop) before the next starts.
    const answer = queue.then(letSignalsIn).then(() => runSync(args));
    queue = answer.catch(() => undefined);
    return answer;
  }

  return {
    run,
    resolve,
    stop,
    get spawned() {
      return spawned;
    },
    letSignalsIn,
  };
}

/**
 * What collectors call as `ctx.vcgencmd`: a call through `runner`, its answer parsed; with
 * `perBoot`, an answer this boot already gave (and `parse` accepted) comes from `cache` instead of
 * a new process, and a fresh one that parses is kept there.
 */
export function perBootCaller(runner: VcgencmdRunner, cache: BootCache): CollectContext['vcgencmd'] {
  return async (args, parse, o) => {
    const key = args.join(' ');
    const cached = o?.perBoot ? cache.get(key) : undefined;
    if (cached !== undefined) {
      try {
        return parse(cached);
      } catch {
        // a cached answer this version cannot parse: ask again
      }
    }
    const out = await runner.run(args);
    const parsed = parse(out);
    if (o?.perBoot) cache.set(key, out);
    return parsed;
  };
}
