/**
 * `pi-textfile collect`: run the enabled collectors and write (or print) one exposition.
 * Exit codes: 0 written or printed (collector failures are data, reported in the file and as one
 * warning line each); 1 invalid options; 2 could not run (output directory missing or not
 * writable, internal error).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBoard, type Board } from '../board';
import { loadBootCache } from '../boot-cache';
import { runCollectors, type Collector, type CollectContext, type CollectorResult } from '../collector';
import { EXIT_CANNOT_RUN, EXIT_OK, UserError } from '../errors';
import { renderExposition } from '../exposition';
import { Host, type HostPaths } from '../host';
import { checkOutputDirectory, removeStaleTempFiles, writeAtomically } from '../textfile';
import { createVcgencmd } from '../vcgencmd';
import { DEFAULT_TEXTFILE_DIRECTORY, NODE_EXPORTER_DEFAULTS, parseNodeExporterDefaults } from '../node-exporter-defaults';

export interface CollectOptions {
  /** Run once and exit (otherwise loop every `intervalMs`). */
  once: boolean;
  /** Print the exposition on stdout instead of writing a file (implies once). */
  stdout: boolean;
  textfileDirectory?: string;
  textfileName: string;
  paths: HostPaths;
  vcgencmd?: string;
  vcgencmdTimeoutMs: number;
  intervalMs: number;
  collectors: readonly Collector[];
  clocks: readonly string[];
}

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CollectDeps {
  /** Monotonic seconds, for collector durations; tests inject a fixed clock. */
  now(): number;
  /** Wall-clock milliseconds, for temp-file ages. */
  wallMs(): number;
  /** Path of node_exporter's Debian defaults file, read for the default output directory. */
  nodeExporterDefaults: string;
  /** PATH searched for vcgencmd. */
  searchPath?: string;
  /** Ends the loop (SIGTERM/SIGINT in the CLI). */
  signal?: AbortSignal;
}

export const defaultCollectDeps = (): CollectDeps => ({
  now: () => performance.now() / 1000,
  wallMs: () => Date.now(),
  nodeExporterDefaults: NODE_EXPORTER_DEFAULTS,
});

/** The output directory: --textfile.directory, else node_exporter's configured one, else Debian's default. */
export function resolveTextfileDirectory(opts: CollectOptions, deps: CollectDeps): string {
  if (opts.textfileDirectory !== undefined) return opts.textfileDirectory;
  let text: string | null = null;
  try {
    text = fs.readFileSync(deps.nodeExporterDefaults, 'utf8');
  } catch {
    text = null;
  }
  const configured = text === null ? null : parseNodeExporterDefaults(text);
  if (configured !== null && /[*?[]/.test(configured)) {
    throw new UserError(
      `${deps.nodeExporterDefaults} sets --collector.textfile.directory to the glob ${configured}; pass --textfile.directory DIR to choose one directory`,
      EXIT_CANNOT_RUN,
    );
  }
  return configured ?? DEFAULT_TEXTFILE_DIRECTORY;
}

export interface RunResult {
  exposition: string;
  results: CollectorResult[];
  spawned: number;
  cache: string | null;
}

/** One collection: every enabled collector, rendered. Never throws for collector failures. */
export async function collectOnce(opts: CollectOptions, deps: CollectDeps, cacheFile: string | null): Promise<RunResult> {
  const host = new Host(opts.paths);
  const runner = createVcgencmd({ path: opts.vcgencmd, timeoutMs: opts.vcgencmdTimeoutMs, searchPath: deps.searchPath });
  const bootId = cacheFile === null ? null : (host.readProc('sys/kernel/random/boot_id')?.trim() || null);
  const cache = loadBootCache(cacheFile, bootId);
  let board: Board | undefined;
  const ctx: CollectContext = {
    host,
    board: () => (board ??= readBoard(host)),
    options: { clocks: opts.clocks },
    async vcgencmd(args, o) {
      const key = args.join(' ');
      const cached = o?.perBoot ? cache.get(key) : undefined;
      if (cached !== undefined) return cached;
      const out = await runner.run(args);
      if (o?.perBoot) cache.set(key, out);
      return out;
    },
  };
  const { families, results } = await runCollectors(opts.collectors, ctx, deps.now);
  return { exposition: renderExposition(families), results, spawned: runner.spawned, cache: cache.pending() };
}

function reportFailures(results: readonly CollectorResult[], io: Io): void {
  for (const r of results) if (!r.success) io.stderr(`pi-textfile: warning: collector ${r.name} failed: ${r.error}\n`);
}

async function writeOnce(opts: CollectOptions, io: Io, deps: CollectDeps, dir: string): Promise<void> {
  checkOutputDirectory(dir);
  removeStaleTempFiles(dir, opts.textfileName, deps.wallMs());
  const cacheFile = path.join(dir, `.${opts.textfileName}.boot-cache.json`);
  const run = await collectOnce(opts, deps, cacheFile);
  reportFailures(run.results, io);
  await writeAtomically(path.join(dir, opts.textfileName), run.exposition);
  if (run.cache !== null) {
    // Best effort: a cache that cannot be written only costs the per-boot reads again next run.
    await writeAtomically(cacheFile, run.cache).catch(() => undefined);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

export async function runCollect(opts: CollectOptions, io: Io, deps: CollectDeps): Promise<number> {
  if (opts.stdout) {
    const run = await collectOnce(opts, deps, null);
    reportFailures(run.results, io);
    io.stdout(run.exposition);
    return EXIT_OK;
  }
  const dir = resolveTextfileDirectory(opts, deps);
  if (opts.once) {
    await writeOnce(opts, io, deps, dir);
    return EXIT_OK;
  }
  // Long-running mode: one collection per interval, aligned to the start of each run, never
  // overlapping. A failed write is reported and retried at the next tick.
  while (!deps.signal?.aborted) {
    const started = deps.wallMs();
    try {
      await writeOnce(opts, io, deps, dir);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      io.stderr(`pi-textfile: ${err.message}\n`);
    }
    await sleep(Math.max(0, opts.intervalMs - (deps.wallMs() - started)), deps.signal);
  }
  return EXIT_OK;
}
