/**
 * `pi-textfile collect`: run the enabled collectors and write (or print) one exposition.
 * Exit codes: 0 written or printed (collector failures are data, reported in the file and as one
 * warning line each); 1 invalid options; 2 could not run (mount roots that are not procfs/sysfs,
 * output directory missing or not writable, internal error).
 */
import { join } from 'node:path';
import { deviceTreePerBoot, loadBootCache } from '../framework/boot-cache';
import { readBoard, type Board } from '../framework/board';
import { runCollectors, type CollectContext, type CollectorResult, type Enabled } from '../framework/collector';
import { renderExposition } from '../framework/exposition';
import { checkMountRoots, mountFiles } from '../framework/host';
import { createVcgencmd, perBootCaller, type VcgencmdRunner } from '../framework/vcgencmd';
import { EXIT_OK, UserError } from '../lib/errors';
import type { Io, StopSignal } from '../lib/io';
import { checkOutputDirectory, CODE_CACHE_NAME, removeStaleTempFiles, writeAtomically } from '../framework/textfile';

export interface CollectOptions {
  /** Run once and exit (otherwise loop every `intervalMs`). */
  once: boolean;
  /** Print the exposition on stdout instead of writing a file (implies once). */
  stdout: boolean;
  textfileDirectory?: string;
  textfileName: string;
  paths: { procfs: string; sysfs: string; rootfs: string };
  vcgencmd?: string;
  vcgencmdTimeoutMs: number;
  intervalMs: number;
  /** The enabled collectors, in registry order, each with its parsed options. */
  collectors: readonly Enabled[];
}

export interface CollectDeps {
  /** Monotonic seconds, for collector durations; tests inject a fixed clock. */
  now(): number;
  /** Wall-clock milliseconds, for temp-file ages and the long-running mode's schedule. */
  wallMs(): number;
  /** Waits `ms` or until `signal` aborts (the long-running mode's pause; tests inject a clock). */
  sleep(ms: number, signal?: StopSignal): Promise<void>;
  /** Finds node_exporter's textfile directory when --textfile.directory is not given. */
  textfileDirectory(opts: CollectOptions): string;
  /** PATH searched for vcgencmd. */
  searchPath?: string;
  /** Ends the loop (SIGTERM/SIGINT in the CLI). */
  signal?: StopSignal;
  /** Whether stderr is a terminal: a person started the long-running mode by hand, and is told what it does. Asked only then. */
  terminal?(): boolean;
  /** Told about every vcgencmd runner, so that a signal can end its children. */
  onRunner?(runner: VcgencmdRunner): void;
  /**
   * A full garbage collection, where Node offers one (its --expose-gc flag, which the
   * long-running unit passes); the long-running mode asks for one every GC_EVERY collections.
   */
  collectGarbage?(): void;
}

/**
 * Each collection leaves a few KiB that survive two young collections and move to the old
 * generation, where V8 collects them only when that reaches its limit: resident memory would
 * climb by about 3 MiB over 20 minutes at one collection a second. One full collection every 30
 * (every 15 minutes at the default interval) holds it flat, for about 6 ms each time.
 */
export const GC_EVERY = 30;

function sleep(ms: number, signal?: StopSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

export const defaultCollectDeps = (): CollectDeps => ({
  // process.hrtime, not performance.now(): the performance global is loaded on first use, at a cost.
  now: () => {
    const [s, ns] = process.hrtime();
    return s + ns / 1e9;
  },
  wallMs: () => Date.now(),
  sleep,
  // isatty, not process.stderr.isTTY: creating the stream (a socket under systemd) costs memory.
  terminal: () => require('node:tty').isatty(2) as boolean,
  collectGarbage: () => (globalThis as { gc?: () => void }).gc?.(),
  textfileDirectory(opts) {
    // Only manual runs get here (the units and cron pass --textfile.directory): the shared rule
    // and its /proc scan are loaded only then.
    const { findTextfileDirectory } = require('./deploy') as typeof import('./deploy');
    const found = findTextfileDirectory({ rootfs: opts.paths.rootfs, procfs: opts.paths.procfs });
    return join(opts.paths.rootfs, found.directory);
  },
});

export interface RunResult {
  exposition: string;
  results: CollectorResult[];
  spawned: number;
  cache: string | null;
}

/**
 * What the long-running mode keeps from one collection to the next: what cannot change while it
 * runs (the board's identity), and whether its directory was swept of killed runs' temp files.
 */
export interface LoopState {
  board?: Board;
  swept?: boolean;
}

/** One collection: every enabled collector, rendered. Never throws for collector failures. */
export async function collectOnce(opts: CollectOptions, deps: CollectDeps, cacheFile: string | null, state: LoopState = {}): Promise<RunResult> {
  const procfs = mountFiles(opts.paths.procfs);
  const sys = mountFiles(opts.paths.sysfs);
  const runner = createVcgencmd({ path: opts.vcgencmd, timeoutMs: opts.vcgencmdTimeoutMs, searchPath: deps.searchPath });
  deps.onRunner?.(runner);
  let bootId: string | null = null;
  if (cacheFile !== null) {
    try {
      bootId = procfs.text('sys/kernel/random/boot_id')?.trim() || null;
    } catch {
      bootId = null; // the cache is an optimisation: without a boot id the run is simply uncached
    }
  }
  const cache = loadBootCache(cacheFile, bootId);
  const proc = deviceTreePerBoot(procfs, cache);
  let board: Board | Error;
  try {
    board = state.board ?? readBoard(proc);
    state.board = board;
  } catch (err) {
    board = err instanceof Error ? err : new Error(String(err));
  }
  const ctx: Omit<CollectContext, 'board'> & { board: Board | Error } = {
    board,
    proc,
    sys,
    vcgencmd: perBootCaller(runner, cache),
  };
  const { families, results } = await runCollectors(opts.collectors, ctx, deps.now);
  // A stop signal that arrived during a slow call is handled before the caller decides to write.
  await runner.letSignalsIn();
  return { exposition: renderExposition(families), results, spawned: runner.spawned, cache: cache.pending() };
}

/**
 * One warning line per distinct failure, naming the collectors it stopped: a missing or hung
 * vcgencmd fails several collectors with one cause, and says so once.
 */
function reportFailures(results: readonly CollectorResult[], io: Io): void {
  const byError = new Map<string, string[]>();
  for (const r of results) if (!r.success) byError.set(r.error!, [...(byError.get(r.error!) ?? []), r.name]);
  for (const [error, names] of byError) io.stderr(`pi-textfile: warning: collector${names.length > 1 ? 's' : ''} ${names.join(', ')} failed: ${error}\n`);
}

/** One collection written; false when a stop request came first and nothing was written. */
async function writeOnce(opts: CollectOptions, io: Io, deps: CollectDeps, dir: string, state: LoopState = {}): Promise<boolean> {
  checkOutputDirectory(dir);
  const cacheName = `.${opts.textfileName}.boot-cache.json`;
  if (!state.swept) {
    // Only a run that was killed leaves one; the long-running mode's own writes never do.
    removeStaleTempFiles(dir, [opts.textfileName, cacheName, CODE_CACHE_NAME], deps.wallMs());
    state.swept = true;
  }
  const target = join(dir, opts.textfileName);
  const cacheFile = join(dir, cacheName);
  const run = await collectOnce(opts, deps, cacheFile, state);
  if (deps.signal?.aborted) return false; // asked to stop: its children were killed, the readings are incomplete
  reportFailures(run.results, io);
  writeAtomically(target, run.exposition);
  if (run.cache !== null) {
    try {
      writeAtomically(cacheFile, run.cache);
    } catch (err) {
      // The file is written; without the cache the next run only reads the per-boot values again.
      io.stderr(`pi-textfile: warning: boot cache not saved: ${(err as Error).message}\n`);
    }
  }
  return true;
}

export async function runCollect(opts: CollectOptions, io: Io, deps: CollectDeps): Promise<number> {
  checkMountRoots(opts.paths);
  if (opts.stdout) {
    const run = await collectOnce(opts, deps, null);
    reportFailures(run.results, io);
    io.stdout(run.exposition);
    return EXIT_OK;
  }
  const dir = opts.textfileDirectory ?? deps.textfileDirectory(opts);
  if (opts.once) {
    const written = await writeOnce(opts, io, deps, dir);
    if (deps.signal?.aborted) {
      // The exit status says a signal ended the run (143, 130): one line says what became of the file.
      const by = typeof deps.signal.reason === 'string' ? deps.signal.reason : 'a stop request';
      io.stderr(`pi-textfile: collect: stopped by ${by}; ${written ? `${join(dir, opts.textfileName)} was written before it` : 'nothing written, the last file is intact'}\n`);
    }
    return EXIT_OK;
  }
  if (deps.terminal?.()) {
    io.stderr(`pi-textfile: collecting every ${opts.intervalMs / 1000}s into ${join(dir, opts.textfileName)}; stop with Ctrl-C (for one run: --once; to see the metrics: --stdout)\n`);
  }
  // Long-running mode: one collection per interval, each starting `intervalMs` after the previous
  // one started (a slow run shortens the pause, never overlaps the next). A failed write is
  // reported and retried at the next tick.
  const state: LoopState = {};
  let collections = 0;
  while (!deps.signal?.aborted) {
    const started = deps.wallMs();
    try {
      await writeOnce(opts, io, deps, dir, state);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      io.stderr(`pi-textfile: ${err.message}\n`);
    }
    if (deps.signal?.aborted) break;
    if (++collections % GC_EVERY === 0) deps.collectGarbage?.();
    await deps.sleep(Math.max(0, opts.intervalMs - (deps.wallMs() - started)), deps.signal);
  }
  return EXIT_OK;
}
