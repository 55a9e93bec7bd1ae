import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BOARDS = path.join(ROOT, 'test', 'fixtures', 'boards');
export const BUNDLE = path.join(ROOT, 'dist', 'pi-textfile.cjs');
export const UPDATE = process.env.PI_TEXTFILE_UPDATE_GOLDEN === '1';

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
export async function runMain(argv: string[], nodeExporterDefaults = '/nonexistent/defaults'): Promise<RunOutput> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, {
    collect: { now: () => 0, nodeExporterDefaults },
  });
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'pi-textfile-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
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
