/**
 * Runs one program synchronously, as collect's vcgencmd calls need it: no shell, stdin from
 * /dev/null, stdout and stderr captured up to a cap, and a hard timeout after which the child gets
 * SIGKILL. vcgencmd.ts is its only user.
 *
 * Why not simply child_process.spawnSync: loading child_process loads Node's sockets, streams and
 * datagrams with it (net, stream, dgram and their internals), which collect never uses. Measured on
 * x64 Node 20, 61 interleaved runs of three spawns of a compiled vcgencmd stand-in: 4.6-5.6 ms more
 * CPU per run (a whole run of collect takes about 35 ms) and 2.1 MiB more resident memory.
 * spawnSync is a thin layer over Node's spawn_sync binding, which Node still offers to programs
 * through process.binding (deprecated in documentation only, DEP0111, and on its list of bindings
 * kept for programs). It is called here with exactly the options spawnSync would pass it (stdio,
 * envPairs, timeout, maxBuffer, killSignal as a number), and only on the Node release lines that
 * the tests run it on (BINDING_TESTED_ON, the majors of test/platforms.json): a later Node could
 * change what the binding makes of them (a timeout it no longer heeds would leave a hung
 * vcgencmd hanging collect) without anything here noticing.
 *
 * child_process.spawnSync runs instead, for this call and every later one, when:
 * - this Node's major release is not one of BINDING_TESTED_ON;
 * - process.binding or its spawn_sync is missing, or refuses (Node's permission model does);
 * - calling it throws (options it no longer understands);
 * - its answer lacks what spawnSync would read from it: then the call is made again through
 *   spawnSync. Every caller's command only asks the firmware for a value, so asking twice is safe.
 * Both ways give the same outcome for every case the tests know (a clean exit, a failing exit with
 * its stderr, a missing or non-executable file, a timeout, output over the cap, death by a signal):
 * test/spawn-sync.test.ts runs each case both ways and compares.
 *
 * --pending-deprecation (or NODE_PENDING_DEPRECATION=1) makes Node warn on the first use of
 * process.binding; that warning would say nothing to an operator, so deprecation warnings are off
 * for that one call (process.noDeprecation, restored after it).
 */
import { getSystemErrorName } from 'node:util';

/** What one run gave; `error` is the errno name when the program could not run or was stopped. */
export interface SyncOutcome {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** ENOENT, EACCES: it did not start; ETIMEDOUT: killed at the timeout; ENOBUFS: killed at the output cap. */
  error?: string;
}

export interface SyncSpawnOptions {
  /** The child's whole environment. */
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  /** Bytes of stdout (and of stderr) after which the child is killed. */
  maxBuffer: number;
}

/** SIGKILL's number, the same on every Linux architecture (x86, arm, arm64). */
const SIGKILL = 9;

interface RawResult {
  status?: unknown;
  signal?: unknown;
  output?: unknown;
  error?: unknown;
}
type Binding = { spawn(options: object): RawResult };

/** The Node majors whose spawn_sync binding the tests run (test/platforms.json holds one of each). */
export const BINDING_TESTED_ON: readonly number[] = [18, 20, 22, 24, 26];

/** undefined: not looked for yet; null: not usable, child_process.spawnSync runs instead. */
let binding: Binding | null | undefined;

/** PURE: whether the binding may be used on this Node version ("20.20.2"). */
export function bindingTestedOn(version: string): boolean {
  return BINDING_TESTED_ON.includes(Number(version.split('.')[0]));
}

function findBinding(): Binding | null {
  if (!bindingTestedOn(process.versions.node)) return null;
  const proc = process as unknown as { binding?: (name: string) => unknown; noDeprecation?: boolean };
  if (typeof proc.binding !== 'function') return null;
  const quiet = proc.noDeprecation;
  proc.noDeprecation = true;
  try {
    const found = proc.binding('spawn_sync') as Partial<Binding> | undefined;
    return typeof found?.spawn === 'function' ? (found as Binding) : null;
  } catch {
    return null;
  } finally {
    proc.noDeprecation = quiet;
  }
}

/**
 * The outcome from the binding's answer, or null if the answer is not what spawnSync reads: a
 * status that is a number or null, a signal name or null, an errno number if any, and, unless the
 * program did not start, an output array with stdout's and stderr's bytes at 1 and 2.
 */
export function outcomeOf(raw: RawResult): SyncOutcome | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { status, signal, output, error } = raw;
  if (!(status === null || typeof status === 'number') || !(signal === null || typeof signal === 'string')) return null;
  if (!(error === undefined || typeof error === 'number')) return null;
  let stdout = '';
  let stderr = '';
  if (Array.isArray(output)) {
    if (!Buffer.isBuffer(output[1]) || !Buffer.isBuffer(output[2])) return null;
    stdout = output[1].toString();
    stderr = output[2].toString();
  } else if (!(output === null || output === undefined) || error === undefined) {
    return null; // no output is only possible for a program that did not start
  }
  const outcome: SyncOutcome = { status, signal, stdout, stderr };
  if (error !== undefined) outcome.error = getSystemErrorName(error);
  return outcome;
}

/** Through the binding; null if it cannot be used (see the top of this file). */
export function spawnDirect(file: string, args: readonly string[], opts: SyncSpawnOptions): SyncOutcome | null {
  if (binding === undefined) binding = findBinding();
  if (binding === null) return null;
  const envPairs: string[] = [];
  for (const [name, value] of Object.entries(opts.env)) if (value !== undefined) envPairs.push(`${name}=${value}`);
  let raw: RawResult;
  try {
    raw = binding.spawn({
      file,
      args: [file, ...args],
      envPairs,
      stdio: [
        { type: 'ignore' },
        // As the child sees them: it writes, pi-textfile reads.
        { type: 'pipe', readable: false, writable: true },
        { type: 'pipe', readable: false, writable: true },
      ],
      timeout: opts.timeoutMs,
      maxBuffer: opts.maxBuffer,
      killSignal: SIGKILL,
    });
  } catch {
    binding = null;
    return null;
  }
  const outcome = outcomeOf(raw);
  if (outcome === null) binding = null;
  return outcome;
}

/** Through child_process.spawnSync, loaded only now. */
export function spawnPublic(file: string, args: readonly string[], opts: SyncSpawnOptions): SyncOutcome {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync(file, [...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: opts.maxBuffer,
  });
  const outcome: SyncOutcome = { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) outcome.error = code;
  return outcome;
}

/**
 * Runs `file` with `args` and waits for it. Throws only for an argument that holds a NUL byte
 * (a program cannot receive one: spawnSync refuses it, the binding would cut it short).
 */
export function spawnSyncOutcome(file: string, args: readonly string[], opts: SyncSpawnOptions): SyncOutcome {
  for (const a of [file, ...args]) if (a.includes('\u0000')) throw new Error(`an argument holds a NUL byte: ${JSON.stringify(a)}`);
  return spawnDirect(file, args, opts) ?? spawnPublic(file, args, opts);
}
