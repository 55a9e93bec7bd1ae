// gen-config against hostile descriptions: what it accepts Prometheus must accept too, and what it
// says stays one line per problem. Each table row failed before its fix; the fuzz test is seeded
// and bounded, and runs promtool check config on every description gen-config accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatIssue } from '../src/gen-config/issues';
import { loadCluster } from '../src/gen-config/load';
import { renderNodeExporterDefaults } from '../src/gen-config/node-exporter';
import { renderPrometheusConfig } from '../src/gen-config/prometheus';
import { renderRules, RULES_FILE } from '../src/gen-config/rules';
import { argsOf, MUTATING, requireTool, runMain, table, tempDir } from './helpers';

const promtool = requireTool('promtool', 'prometheus');
const nodeExporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');

/** Writes each accepted description's files into its own directory; returns their prometheus.yml paths. */
function render(texts: string[]): { accepted: string[]; rejected: number } {
  const accepted: string[] = [];
  let rejected = 0;
  const base = tempDir('pi-textfile-fuzz-');
  texts.forEach((text, i) => {
    const r = loadCluster(text);
    if (!r.ok) {
      rejected++;
      return;
    }
    const dir = path.join(base, String(i));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), renderPrometheusConfig(r.value, 'c.yml'));
    fs.writeFileSync(path.join(dir, RULES_FILE), renderRules(r.value, 'c.yml'));
    for (const [name, text] of renderNodeExporterDefaults(r.value, 'c.yml')) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, 'description.yml'), text);
    accepted.push(path.join(dir, 'prometheus.yml'));
  });
  return { accepted, rejected };
}

function promtoolAccepts(files: string[]): void {
  for (const file of files) {
    const r = spawnSync(promtool.path!, ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool refuses what gen-config accepted:\n${fs.readFileSync(path.join(path.dirname(file), 'description.yml'), 'utf8')}\n${r.stdout}${r.stderr}`);
  }
}

table('written so that Prometheus\'s YAML 1.1 reads what was meant', [
  { source: 'DEL and C1 controls written raw into the description', text: 'cluster: "c\u007fd"\nexternal_labels: {site: "a\u0090b\u009fc"}\nnodes: [pi1.local]\n' },
  { source: 'U+2028, U+2029 and U+0085 as plain scalars', text: 'cluster: c\u2028d\nexternal_labels: {site: a\u2029b\u0085c}\nnodes:\n  - address: pi1.local\n    name: n\u2028x\n    labels: {room: "r\u0085"}\n' },
  { source: 'a byte-order mark inside a value', text: 'cluster: "c\ufeffd"\nnodes: [pi1.local]\n' },
], (row) => {
  const r = render([row.text]);
  assert.equal(r.accepted.length, 1);
  if (!promtool.skip) promtoolAccepts(r.accepted);
  const written = fs.readFileSync(r.accepted[0]!, 'utf8');
  assert.doesNotMatch(written, /[\u007f-\u009f\u2028\u2029\ufeff]/, 'no such character written raw');
});

table('refused, as Prometheus would refuse it, with one line that says why', [
  { source: 'a scrape interval over Prometheus\'s limit (~292 years)', text: 'cluster: c\nscrape_interval: 300y\nnodes: [pi1.local]\n', message: /:2:18: \/scrape_interval: "300y" is longer than Prometheus accepts \(about 292 years\)$/ },
  { source: 'a stale-after duration over the limit', text: 'cluster: c\nnodes: [pi1.local]\nalerts: {textfile_stale_after: 99999999999w}\n', message: /\/alerts\/textfile_stale_after: "99999999999w" is longer than Prometheus accepts/ },
  { source: 'a remote_write URL with a bad % escape', text: 'cluster: c\nnodes: [pi1.local]\nremote_write:\n  - url: https://m.example.com/api%zz/write\n', message: /\/remote_write\/0\/url: "https:\/\/m\.example\.com\/api%zz\/write" has a % that does not start an escape/ },
  { source: 'a remote_write URL with an unbalanced [', text: 'cluster: c\nnodes: [pi1.local]\nremote_write:\n  - url: http://[::1:9090/api/v1/write\n', message: /an IPv6 host goes in one pair of brackets/ },
  { source: 'a remote_write URL with a port that is not a number', text: 'cluster: c\nnodes: [pi1.local]\nremote_write:\n  - url: http://m.example.com:http/api/v1/write\n', message: /has a port that is not a number/ },
  { source: 'credentials inside a remote_write URL', text: 'cluster: c\nnodes: [pi1.local]\nremote_write:\n  - url: https://pi:s3cret@m.example.com/api/v1/write\n', message: /has a user name or password in it; remove them and use basic_auth with password_file/ },
  { source: 'a thousand nested levels', text: `cluster: c\nnodes: [pi1.local]\nx:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`, message: /nested too deeply to read/ },
], async (row) => {
  const file = path.join(tempDir('pi-textfile-hostile-'), 'cluster.yml');
  fs.writeFileSync(file, row.text);
  const r = await runMain(['gen-config', '--check', '--config', file]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.some((l) => row.message.test(l)), r.stderr);
  assert.match(lines[lines.length - 1]!, /problems?; nothing was written$/);
});

test('newlines and terminal escapes in a description stay escaped in the messages: one line per problem', () => {
  // A duplicate node name: the semantic check quotes the raw name, newline and escape included.
  const r = loadCluster('cluster: c\nnodes:\n  - {address: a.local, name: "x\\n\\u001b[2J"}\n  - {address: b.local, name: "x\\n\\u001b[2J"}\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  for (const issue of r.issues) {
    const line = formatIssue('c.yml', issue);
    assert.doesNotMatch(line, /[\x00-\x1f]/, line);
    assert.match(line, /node name "x\\u000a\\u001b\[2J" is used by \/nodes\/0 too/);
  }
});

/** mulberry32: a small seeded generator, so a failing case can be made again. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261122;
const CASES = 300;
const TEXTS = ['pi', 'kube-0', 'a b', 'x$y', 'q"uote', "s'q", 'back\\slash', '#hash', 'colon: x', '{brace}', '[br]', 'é', '日本', '🍓', '\u007f', '\u0085', '\u0090', '\u2028', '\u2029', '\ufeff', '\t', '%', '-', '*', '&a', '!t', '|', '>', '', '0x1', 'null', 'true', '1e3'];
const URLS = ['https://m.example.com/api/v1/write', 'http://[::1]:8428/api/v1/write', 'http://vm.local:8428/api/v1/write', 'https://m.example.com/api/v1/write?x=%2F', 'http://[::1]:8428/api/v1/write', 'https://m.example.com/api/v1/write', 'http://[::1:8428/x', 'http://h:abc/x', 'https://u:p@h/x', 'http://h/%zz', 'http://h/%2F', 'http://h:99999/x', 'http://h:/x', 'https://h/a%', 'http://h/\u007f', 'https://h/\u2028'];
const DURATIONS = ['30s', '1m', '15s', '1h30m', '5m', '10s', '1y', '30s', '1m', '292y', '300y', '99999999999w', '0'];
const LABEL_NAMES = ['role', 'zone', 'rack', 'room', 'ok_1', 'role', 'zone', 'rack', 'room', 'site', '__x', 'node_name', 'instance', 'job', '9bad', 'cluster'];

function fuzzCase(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  // Mostly plain words, one hostile piece in about half of them.
  const word = (): string => `w${Math.floor(next() * 100)}${next() < 0.5 ? pick(TEXTS) : ''}`;
  const q = (s: string): string => (next() < 0.7 ? JSON.stringify(s) : s); // double-quoted, or raw in YAML
  const lines = [`cluster: ${q(word())}`];
  if (next() < 0.5) lines.push(`scrape_interval: ${pick(DURATIONS)}`);
  if (next() < 0.3) lines.push(`scrape_timeout: ${pick(DURATIONS)}`);
  if (next() < 0.5) lines.push(`external_labels: {${pick(LABEL_NAMES)}: ${JSON.stringify(word())}}`);
  lines.push('nodes:');
  for (let i = 0; i < 1 + Math.floor(next() * 3); i++) {
    lines.push(`  - address: pi${i}.local`);
    if (next() < 0.6) lines.push(`    name: ${q(word())}`);
    if (next() < 0.6) lines.push(`    labels: {${pick(LABEL_NAMES)}: ${JSON.stringify(word())}}`);
  }
  if (next() < 0.5) lines.push('remote_write:', `  - url: ${q(pick(URLS))}`);
  if (next() < 0.3) lines.push(`alerts: {textfile_stale_after: ${pick(DURATIONS)}}`);
  return `${lines.join('\n')}\n`;
}

test(`fuzz (seed ${SEED}, ${CASES} descriptions): every description gen-config accepts, promtool check config accepts too`, { skip: (MUTATING && 'too slow to run once per mutant (the checks\' other tests run)') || promtool.skip, timeout: 240_000 }, () => {
  const next = rng(SEED);
  const texts = Array.from({ length: CASES }, () => fuzzCase(next));
  const r = render(texts);
  assert.ok(r.accepted.length >= 80 && r.rejected >= 50, `a useful mix: ${r.accepted.length} accepted, ${r.rejected} refused`);
  promtoolAccepts(r.accepted);
});

test('without --out, the printed prometheus.yml loads no rules file that was never written: promtool accepts it alone', { skip: promtool.skip }, async () => {
  const dir = tempDir('pi-textfile-print-');
  const config = path.join(dir, 'cluster.yml');
  fs.writeFileSync(config, 'cluster: c\nnodes: [pi1.local]\n');
  const r = await runMain(['gen-config', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /rule_files/);
  assert.equal(r.stderr, 'pi-textfile: printed prometheus.yml without its alert rules; --out DIR writes it with pi-textfile.rules.yml and node_exporter\'s arguments\n');
  const alone = path.join(tempDir('pi-textfile-alone-'), 'prometheus.yml');
  fs.writeFileSync(alone, r.stdout);
  const check = spawnSync(promtool.path!, ['check', 'config', alone], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

test('a --config too large or not a regular file is refused at once; past 100 problems they are counted, not listed', async () => {
  const dir = tempDir('pi-textfile-big-');
  const big = path.join(dir, 'big.yml');
  fs.writeFileSync(big, `cluster: c\nnodes:\n${'  - pi.local\n'.repeat(800_000)}`);
  const started = Date.now();
  const r = await runMain(['gen-config', '--check', '--config', big]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pi-textfile: cannot read .*big\.yml: is larger than 8192 KiB; a description of 10,000 nodes is about 1 MiB, and gen-config reads at most 8 MiB\n$/);
  assert.ok(Date.now() - started < 2000);
  const fifo = path.join(dir, 'fifo.yml');
  spawnSync('mkfifo', [fifo]);
  const f = await runMain(['gen-config', '--check', '--config', fifo]);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /fifo\.yml: is a FIFO/);
  const many = path.join(dir, 'many.yml');
  fs.writeFileSync(many, `cluster: c\nnodes:\n${Array.from({ length: 150 }, () => '  - bad address!\n').join('')}`);
  const m = await runMain(['gen-config', '--check', '--config', many]);
  assert.equal(m.code, 1);
  const lines = m.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 101);
  assert.match(lines[100]!, /many\.yml: (\d+) problems \(the first 100 shown\); nothing was written$/);
  assert.ok(Number(/: (\d+) problems/.exec(lines[100]!)![1]) >= 150);
});

test('a node on another port gets node_exporter defaults of its own: every node_exporter listens where it is scraped', async () => {
  const dir = tempDir('pi-textfile-ports-');
  const config = path.join(dir, 'cluster.yml');
  fs.writeFileSync(config, 'cluster: c\nnodes:\n  - pi1.local\n  - pi2.local:9200\n  - {name: pi3, address: "10.0.0.3:9200"}\n');
  const out = tempDir('pi-textfile-ports-out-');
  const r = await runMain(['gen-config', '--config', config, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(out).sort(), ['grafana', 'pi-textfile.rules.yml', 'prometheus-node-exporter', 'prometheus-node-exporter.port-9200', 'prometheus.yml']);
  const main = fs.readFileSync(path.join(out, 'prometheus-node-exporter'), 'utf8');
  const other = fs.readFileSync(path.join(out, 'prometheus-node-exporter.port-9200'), 'utf8');
  assert.match(main, /on these nodes: pi1\.local\.\n/);
  assert.match(main, /--web\.listen-address=:9100"\n$/);
  assert.match(other, /on these nodes: pi2\.local, pi3\.\n/);
  assert.match(other, /--web\.listen-address=:9200"\n$/);
  // Its real consumer parses each file's ARGS; --version makes it stop after parsing, so that
  // no port is opened (kingpin refuses an unknown flag first: exit 1).
  if (!nodeExporter.skip) {
    for (const text of [main, other]) {
      const args = argsOf(text);
      const r = spawnSync(nodeExporter.path!, [...args, '--version'], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(spawnSync(nodeExporter.path!, ['--no-such-flag', '--version']).status, 1, 'the check can fail');
  }
});

table('an unclosed [ or { is reported where it was opened, not where the file ends', [
  { source: 'a list item left open to the end of the file', text: 'cluster: c\nnodes:\n  - [pi1.local\n', lines: ['3:5: /: this [ opens a list that is never closed with ]'] },
  { source: 'a mapping and a list inside it', text: 'cluster: c\nnodes: {a: [x, y\nfoo: 1\n', lines: ['2:8: /: this { opens a mapping that is never closed with }', '2:12: /: this [ opens a list that is never closed with ]'] },
  { source: 'brackets inside quotes and comments, and an apostrophe in a plain word, do not count', text: "cluster: \"c [\"\n# a { comment\nnodes: [o'brien.local, 'x]'\n", lines: ['3:8: /: this [ opens a list that is never closed with ]'] },
], async (row) => {
  const file = path.join(tempDir('pi-textfile-unclosed-'), 'cluster.yml');
  fs.writeFileSync(file, row.text);
  const r = await runMain(['gen-config', '--check', '--config', file]);
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, -1), row.lines.map((l) => `${file}:${l}`));
});
