/**
 * `pi-textfile gen-config`: a cluster description -> prometheus.yml, alert rules and
 * node_exporter's defaults file. Exit codes: 0 ok; 1 the description is invalid (every problem
 * listed); 2 could not run (file missing, --out that cannot be created or written, a file in the
 * way). --out is created when it does not exist, as mkdir -p would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CANNOT_RUN, EXIT_INVALID, EXIT_OK, UserError, describeFsError } from '../lib/errors';
import { serverNodes, type Cluster } from '../gen-config/cluster';
import { formatIssue, type Issue } from '../gen-config/issues';
import { loadCluster } from '../gen-config/load';
import { AGENTS_DIRECTORY } from '../gen-config/fleet';
import { DASHBOARD_MARKER } from '../gen-config/grafana';
import { renderFiles, rowOf } from '../gen-config/outputs';
import { isGeneratedTargets, renderPrometheusConfig, TARGETS_FILE, targetCount } from '../gen-config/prometheus';
import { RULES_FILE } from '../gen-config/rules';
import { GENERATED_MARKER } from '../gen-config/toolbox';
import { HostReadError, readBounded, readTextOrNull } from '../framework/host';
import { checkOutputDirectory, writeAtomically } from '../framework/textfile';
import type { Io } from '../lib/io';

/** A description of 10,000 nodes with labels is about 1 MiB. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** More problems than this are counted, not listed. */
export const MAX_REPORTED = 100;

export type IssueFormat = 'text' | 'github' | 'json';

/** GitHub workflow-command escaping: data (`%`, CR, LF), and in properties also `:` and `,`. */
const githubData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const githubProperty = (s: string): string => githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * The problems of a description: `text`, FILE:LINE:COLUMN: /pointer: message on stderr (at most
 * MAX_REPORTED, all counted); `github`, one workflow-command annotation per problem on stdout, so
 * each shows on its line in a pull request; `json`, one JSON object per line on stdout
 * ({file, line, column, pointer, message}), every problem.
 */
export function reportIssues(file: string, issues: readonly Issue[], format: IssueFormat, io: Io): void {
  if (format === 'json') {
    for (const i of issues) io.stdout(`${JSON.stringify({ file, line: i.line, column: i.column, pointer: i.pointer || '/', message: i.message })}\n`);
    return;
  }
  if (format === 'github') {
    for (const i of issues.slice(0, MAX_REPORTED)) {
      io.stdout(`::error file=${githubProperty(file)},line=${i.line},col=${i.column},title=${githubProperty(`pi-textfile gen-config: ${i.pointer || '/'}`)}::${githubData(i.message)}\n`);
    }
    if (issues.length > MAX_REPORTED) io.stdout(`::error file=${githubProperty(file)}::${issues.length - MAX_REPORTED} more problems; run pi-textfile gen-config --check to see them all\n`);
    return;
  }
  for (const issue of issues.slice(0, MAX_REPORTED)) io.stderr(`${formatIssue(file, issue)}\n`);
  const more = issues.length > MAX_REPORTED ? ` (the first ${MAX_REPORTED} shown)` : '';
  io.stderr(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}${more}; nothing was written\n`);
}

export interface GenConfigOptions {
  /** How problems are reported (default text). */
  format?: IssueFormat;
  config: string;
  out?: string;
  check: boolean;
  force: boolean;
}

export async function runGenConfig(opts: GenConfigOptions, io: Io): Promise<number> {
  let text: string;
  try {
    // Bounded and non-blocking: a FIFO or a 50 MB file is refused before it is read.
    const raw = readBounded(opts.config, { maxBytes: MAX_CONFIG_BYTES });
    if (raw === null) throw Object.assign(new Error('does not exist'), { code: 'ENOENT' });
    text = raw.toString('utf8');
  } catch (err) {
    const why = err instanceof HostReadError ? err.message.replace(/^cannot read \S+: /, '') : describeFsError(err);
    throw new UserError(
      `cannot read ${opts.config}: ${why.replace(/, which no sysfs\/procfs file is$/, `; a description of 10,000 nodes is about 1 MiB, and gen-config reads at most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`)}`,
      EXIT_CANNOT_RUN,
    );
  }
  const result = loadCluster(text);
  if (!result.ok) {
    reportIssues(opts.config, result.issues, opts.format ?? 'text', io);
    return EXIT_INVALID;
  }
  const cluster = result.value;
  if (opts.check) {
    // In json and github formats, a valid description prints nothing: no problem, no line.
    if ((opts.format ?? 'text') === 'text') io.stdout(`${opts.config}: valid (${cluster.nodes.length} node${cluster.nodes.length === 1 ? '' : 's'})\n`);
    return EXIT_OK;
  }
  const source = path.basename(opts.config);
  const out = opts.out;
  if (out === undefined) {
    if (cluster.shards > 1) {
      throw new UserError(`${cluster.shards} shards need ${cluster.shards} configurations and more: pass --out DIR to write them`, EXIT_INVALID);
    }
    io.stdout(renderPrometheusConfig(cluster, source, { withRules: false }));
    io.stderr(`pi-textfile: printed prometheus.yml without its alert rules; --out DIR writes it with ${RULES_FILE} and node_exporter's arguments\n`);
    return EXIT_OK;
  }
  const files = renderFiles(cluster, source);
  const created = makeOutputDirectory(out);
  checkOutputDirectory(out, '--out DIR (a directory you may write)');
  if (cluster.discovery === 'file' && !opts.force) guardTargets(cluster, path.join(out, TARGETS_FILE));
  const names = new Set(files.map(([name]) => name));
  // Files an earlier run wrote for shards or agents that are gone now.
  const obsolete = generatedIn(out).filter((name) => !names.has(name));
  // A file there is replaced only if pi-textfile generated it (or with --force); a link, FIFO or
  // directory of that name is never opened, and writeAtomically refuses it.
  const inTheWay = files.map(([name]) => name).filter((name) => fs.lstatSync(path.join(out, name), { throwIfNoEntry: false }) !== undefined && !isGenerated(out, name)).map((name) => path.join(out, name));
  if (inTheWay.length > 0 && !opts.force) {
    throw new UserError(`not overwriting ${inTheWay.join(', ')}: not generated by pi-textfile (no generated-file header); move it away or pass --force`, EXIT_CANNOT_RUN);
  }
  // Only what changed is written: with discovery: file, a new node list rewrites the targets
  // file alone, and Prometheus, watching it, needs no reload.
  let unchanged = 0;
  for (const [name, content] of files) {
    makeDirectories(out, path.dirname(name));
    const file = path.join(out, name);
    if (readTextOrNull(file, { maxBytes: Buffer.byteLength(content) + 1, noFollow: true }) === content) {
      unchanged++;
      continue;
    }
    writeAtomically(file, content);
  }
  for (const name of obsolete) fs.rmSync(path.join(out, name), { force: true });
  const written = files.length - unchanged;
  const listed = files.length <= 20 ? `: ${files.map(([name]) => name).join(', ')}` : '';
  if (created) io.stdout(`${out}: created\n`);
  io.stdout(
    `${out}: ${written} file${written === 1 ? '' : 's'} written, ${unchanged} unchanged${obsolete.length > 0 ? `, ${obsolete.length} removed (${obsolete.join(', ')})` : ''} (${files.length} in all${listed})\n`,
  );
  return EXIT_OK;
}

/** Whether gen-config wrote the file at `rel` under `out`, as its row in OUTPUTS recognises one (no row: it did not). */
function isGenerated(out: string, rel: string): boolean {
  const file = path.join(out, rel);
  const head = (): string => readTextOrNull(file, { maxBytes: 4096, noFollow: true, head: true }) ?? '';
  switch (rowOf(rel)?.recognise) {
    case 'targets':
      return isGeneratedTargets(readTextOrNull(file, { maxBytes: MAX_CONFIG_BYTES * 4, noFollow: true }) ?? '');
    case 'dashboard':
      return head().includes(`"description": "${DASHBOARD_MARKER}`);
    case 'header':
      return head().startsWith(GENERATED_MARKER);
    default:
      return false;
  }
}

/**
 * Refuses (unless --force) a targets file that would lose the fleet: an empty node list, or fewer
 * than half of the targets the file lists now (from 10 on): what a fleet inventory that failed
 * half-way would write.
 */
function guardTargets(cluster: Cluster, file: string): void {
  const now = serverNodes(cluster).length;
  if (now === 0) {
    throw new UserError(`no node to scrape: ${file} would be emptied, and Prometheus would stop scraping the whole fleet; if that is what you want, pass --force`, EXIT_CANNOT_RUN);
  }
  const before = targetCount(readTextOrNull(file, { maxBytes: MAX_CONFIG_BYTES * 4, noFollow: true }) ?? '');
  if (before >= 10 && now < before / 2) {
    throw new UserError(`${file} lists ${before} nodes and would list ${now}: more than half of the fleet would stop being scraped at once; if that is what you want, pass --force`, EXIT_CANNOT_RUN);
  }
}

/** Files under `out` that an earlier run wrote for a family that sweeps its own (shards, agents). */
function generatedIn(out: string): string[] {
  const candidates = fs.readdirSync(out);
  if (fs.lstatSync(path.join(out, AGENTS_DIRECTORY), { throwIfNoEntry: false })?.isDirectory()) {
    candidates.push(...fs.readdirSync(path.join(out, AGENTS_DIRECTORY)).map((name) => `${AGENTS_DIRECTORY}/${name}`));
  }
  return candidates.filter((rel) => rowOf(rel)?.sweep === true && isGenerated(out, rel));
}

/**
 * Creates `rel`'s directories under `out` (grafana/provisioning/...), each a real directory: a
 * link or a file in their place is refused, so no write is led outside `out`.
 */
function makeDirectories(out: string, rel: string): void {
  let dir = out;
  for (const part of rel === '.' ? [] : rel.split('/')) {
    dir = path.join(dir, part);
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (st === undefined) fs.mkdirSync(dir, { mode: 0o755 });
    else if (!st.isDirectory()) throw new UserError(`${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; gen-config writes only into real directories under --out: move it away`, EXIT_CANNOT_RUN);
  }
}

/**
 * Creates --out and its missing parents as `mkdir -p` does (mode 0777 less the umask), when it
 * does not exist; true when it did not. A link there is never made into a directory: a dangling
 * one is refused with one line, like anything else in the way.
 */
function makeOutputDirectory(out: string): boolean {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(out, { throwIfNoEntry: false });
  } catch (err) {
    throw new UserError(`cannot create --out ${out}: ${describeFsError(err)}`, EXIT_CANNOT_RUN);
  }
  if (st?.isSymbolicLink() && !fs.existsSync(out)) {
    throw new UserError(`--out ${out} is a symbolic link to ${JSON.stringify(fs.readlinkSync(out))}, which does not exist; create that directory, or pass another --out`, EXIT_CANNOT_RUN);
  }
  if (st !== undefined) return false;
  try {
    fs.mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create --out ${out}: ${describeFsError(err)}`, EXIT_CANNOT_RUN);
  }
  return true;
}
