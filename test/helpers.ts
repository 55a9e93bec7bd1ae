import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main';
import type { MainDeps } from '../src/cli/program';

/** The repository: the nearest directory above this (bundled) test file with package.json and src/. */
export const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'src'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
})();
export const BOARDS = path.join(ROOT, 'test', 'fixtures', 'boards');
export const BUNDLE = path.join(ROOT, 'dist', 'pi-textfile.cjs');
export const UPDATE = process.env.PI_TEXTFILE_UPDATE_GOLDEN === '1';

/**
 * Set by npm run mutate (scripts/mutate.mjs) for its runs: the few slow tests that no mutant of
 * its targets can change (they read committed goldens, or fuzz for minutes) say so and skip there.
 * Never set in CI, where every test runs.
 */
export const MUTATING = process.env.PI_TEXTFILE_MUTATING === '1' && 'not affected by the mutants of npm run mutate: it reads committed goldens';

/** The flags of an /etc/default file's ARGS="..." line, as its systemd unit passes them. */
export function argsOf(defaultsText: string): string[] {
  return /^ARGS="([^"]*)"$/m.exec(defaultsText)![1]!.split(' ');
}

/**
 * A vcgencmd for a fixture board in `dir`: the board's captures, with `answers` in place of some
 * (file name without .txt -> output), answered by the fixture stand-in. Returns its path.
 */
export function fixtureVcgencmd(dir: string, board: string, answers: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(path.join(BOARDS, board, 'vcgencmd')).filter((f) => f.endsWith('.txt'))) fs.copyFileSync(path.join(BOARDS, board, 'vcgencmd', f), path.join(dir, f));
  for (const [key, text] of Object.entries(answers)) fs.writeFileSync(path.join(dir, `${key}.txt`), text);
  fs.symlinkSync(path.join(ROOT, 'test', 'fixtures', 'fake-vcgencmd.sh'), path.join(dir, 'vcgencmd'));
  return path.join(dir, 'vcgencmd');
}

/** Every file under dir, as relative paths, sorted. */
export function filesUnder(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

/** Copies the built program (every dist/*.cjs) into `dir`; returns the path of its entry point there. */
export function copyProgram(dir: string): string {
  for (const f of fs.readdirSync(path.dirname(BUNDLE)).filter((n) => n.endsWith('.cjs'))) fs.copyFileSync(path.join(path.dirname(BUNDLE), f), path.join(dir, f));
  fs.chmodSync(path.join(dir, path.basename(BUNDLE)), 0o755);
  return path.join(dir, path.basename(BUNDLE));
}

export function boardNames(): string[] {
  return fs
    .readdirSync(BOARDS)
    .filter((n) => fs.statSync(path.join(BOARDS, n)).isDirectory())
    .sort();
}

/** The collect flags that point pi-textfile at a fixture board, plus the board's own args file. */
export function boardArgs(board: string): string[] {
  const dir = path.join(BOARDS, board);
  const extra = fs.readFileSync(path.join(dir, 'args'), 'utf8').split(/\s+/).filter((a) => a !== '');
  return [
    '--path.procfs', path.join(dir, 'proc'),
    '--path.sysfs', path.join(dir, 'sys'),
    '--vcgencmd', path.join(dir, 'vcgencmd', 'vcgencmd'),
    ...extra,
  ];
}

export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() in-process with a fixed clock (durations 0), capturing both streams. */
export async function runMain(argv: string[], deps: MainDeps = {}): Promise<RunOutput> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, { ...deps, collect: { now: () => 0, ...deps.collect } });
  return { code, stdout, stderr };
}

/**
 * A table test: one test per row, named after the row's `source` (the capture it comes from, or
 * what makes it malformed), so a failure names its row.
 */
export function table<R extends { source: string }>(title: string, rows: readonly R[], check: (row: R) => void | Promise<void>): void {
  for (const row of rows) test(`${title}: ${row.source}`, () => check(row));
}

export function tempDir(prefix = 'pi-textfile-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A copy of a fixture board's procfs with a boot id, so per-boot answers are cached as on a real board. */
export function procWithBootId(board: string, bootId = 'b1'): string {
  const proc = tempDir('pi-textfile-proc-');
  fs.cpSync(path.join(BOARDS, board, 'proc'), proc, { recursive: true });
  fs.mkdirSync(path.join(proc, 'sys', 'kernel', 'random'), { recursive: true });
  fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), `${bootId}\n`);
  return proc;
}

/** The goldens are made with a fixed clock; a real run measures each collector's duration. */
export function zeroDurations(text: string): string {
  return text.replace(/^(pi_textfile_collector_duration_seconds\{[^}]*\}) \S+$/gm, '$1 0');
}

/**
 * A preload for `node -r` that writes the list of Node modules the process loaded when it exits,
 * and `loaded()`, which reads the list the last such process wrote. Each call has its own files.
 */
export function moduleListPreload(): { preload: string; loaded(): string[] } {
  const dir = tempDir('pi-textfile-modules-');
  const list = path.join(dir, 'modules');
  const preload = path.join(dir, 'module-list.cjs');
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
  return { preload, loaded: () => fs.readFileSync(list, 'utf8').split('\n') };
}

/** An empty script, for what a Node loads for any program (Node 18 loads net for itself, for one). */
export function emptyScript(): string {
  const file = path.join(tempDir('pi-textfile-empty-'), 'empty.cjs');
  fs.writeFileSync(file, '');
  return file;
}

/** child_process and the modules it brings that `modules` holds beyond `bare` (an empty script's list). */
export function broughtByChildProcess(modules: readonly string[], bare: readonly string[]): string[] {
  return ['child_process', 'internal/child_process', 'net', 'dgram', 'stream'].filter((m) => modules.includes(`NativeModule ${m}`) && !bare.includes(`NativeModule ${m}`));
}

/** Replaces the repository path in text, so goldens do not depend on where the clone lives. */
export function portable(text: string): string {
  return text.split(ROOT).join('<repo>');
}

export function which(command: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * A Debian tool the tests need (promtool, prometheus-node-exporter, prometheus). Missing outside
 * CI: the test is skipped with a message saying how to install it. Missing in CI (CI=true): fail.
 */
export function requireTool(command: string, pkg: string): { path: string | null; skip: string | false } {
  const found = which(command);
  if (found) return { path: found, skip: false };
  if (process.env.CI === 'true') throw new Error(`${command} is required in CI; install the Debian package ${pkg} (bash test/run.sh does)`);
  return { path: null, skip: `${command} not installed (sudo apt-get install ${pkg})` };
}

/** Parses exposition text into `name{sorted labels}` -> value, for comparing across renderers. */
export function parseSeries(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/s.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: string[] = [];
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let l: RegExpExecArray | null;
    while ((l = re.exec(m[2] ?? '')) !== null) labels.push(`${l[1]}="${l[2]}"`);
    labels.sort();
    const v = m[3]!;
    series.set(`${m[1]}{${labels.join(',')}}`, v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
  }
  return series;
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`timeout fetching ${url}`)));
  });
}

/** Polls `fn` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Runs the built bundle as a child process. */
export function runBundle(args: string[], opts: { cwd?: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv; bundle?: string } = {}): RunOutput {
  const r = spawnSync(process.execPath, [opts.bundle ?? BUNDLE, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    env: opts.env ?? process.env,
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function promtoolCheckMetrics(promtool: string, text: string): { status: number; output: string } {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
