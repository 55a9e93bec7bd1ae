// The boundaries the design depends on, checked on the source itself, and the README's collector
// and metric tables, generated from the registry (npm run golden:update rewrites them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkCollector } from '../src/framework/collector';
import { COLLECTORS } from '../src/collectors/index';
import { ROOT, table, UPDATE } from './helpers';

function sources(dir: string, ext = /\.ts$/): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name), ext) : ext.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : [],
  );
}
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** Every module a file names: static imports and exports (types too), require() and import(). */
const imports = (file: string): string[] => [...read(file).matchAll(/(?:\bfrom|\brequire\(|\bimport\(|^import)\s*'([^']+)'/gm)].map((m) => m[1]!);

/** The files of src/ each file imports, resolved (packages, Node's modules and virtual modules left out). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => [
      file,
      imports(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => path.join(path.dirname(file), spec))
        .filter((target) => target.startsWith('src/')) // package.json's version
        .map((target) => [`${target}.ts`, `${target}/index.ts`, target].find((f) => known.has(f)) ?? `unresolved ${target}`),
    ]),
  );
}

/** PURE: the cycles of a directed graph, each as its members (strongly connected components of more than one node, or one node with an edge to itself). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(members.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * The folders of src/, top to bottom: a file imports only from its own folder or from a folder of
 * a lower layer. src/ itself holds the entry points; lib/ the leaves every part may use.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['src'],
  ['src/cli'],
  ['src/commands'],
  ['src/gen-config', 'src/deploy/checks', 'src/collectors'],
  ['src/deploy'],
  ['src/node-exporter'],
  ['src/framework'],
  ['src/lib'],
];
const layerOf = (dir: string): number => LAYERS.findIndex((l) => l.includes(dir));

test('no import cycle among the files of src/', () => {
  const graph = importGraph(sources('src', /\.(ts|cjs)$/));
  assert.deepEqual([...graph.values()].flat().filter((t) => t.startsWith('unresolved')), [], 'every relative import resolves to a file of src/');
  assert.deepEqual(cyclesOf(graph), []);
});

test('the folders of src/ form layers: each imports only from its own and lower ones, so no cycle among folders either', () => {
  const graph = importGraph(sources('src', /\.(ts|cjs)$/));
  const folders = new Set([...graph.keys()].map((f) => path.dirname(f)));
  assert.deepEqual([...folders].filter((d) => layerOf(d) < 0), [], 'every folder of src/ has its layer in LAYERS');
  const upward: string[] = [];
  const folderGraph = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const [from, to] = [path.dirname(file), path.dirname(target)];
      if (from === to) continue;
      folderGraph.set(from, [...(folderGraph.get(from) ?? []), to]);
      if (layerOf(to) <= layerOf(from)) upward.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(upward, []);
  assert.deepEqual(cyclesOf(folderGraph), []);
});

table<{ source: string; graph: Record<string, string[]>; cycles: string[][] }>('cyclesOf finds every cycle, and only cycles', [
  { source: 'a chain', graph: { a: ['b'], b: ['c'], c: [] }, cycles: [] },
  { source: 'two files importing each other', graph: { a: ['b'], b: ['a'] }, cycles: [['a', 'b']] },
  { source: 'a ring of three beside a tail', graph: { a: ['b'], b: ['c'], c: ['a', 'd'], d: [] }, cycles: [['a', 'b', 'c']] },
  { source: 'a file importing itself', graph: { a: ['a'] }, cycles: [['a']] },
  { source: 'a diamond (no cycle)', graph: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, cycles: [] },
  { source: 'two separate rings', graph: { a: ['b'], b: ['a'], c: ['d'], d: ['c'] }, cycles: [['a', 'b'], ['c', 'd']] },
], (row) => assert.deepEqual(cyclesOf(new Map(Object.entries(row.graph))).sort(), row.cycles));

test('every file in src/collectors is registered once, under its own name, in name order', () => {
  const names = COLLECTORS.map((c) => c.name);
  const files = fs.readdirSync(path.join(ROOT, 'src', 'collectors')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
  assert.deepEqual(names, files);
  for (const c of COLLECTORS) assert.match(read('src/collectors/index.ts'), new RegExp(`^import ${c.name} from '\\./${c.name}';$`, 'm'), c.name);
});

test('every registered collector follows the declaration rules (names, labels, units in names, rpi_ prefix)', () => {
  for (const c of COLLECTORS) assert.doesNotThrow(() => checkCollector(c), c.name);
});

table<{ source: string; collector: Parameters<typeof checkCollector>[0] }>('checkCollector refuses what the declaration rules forbid', [
  { source: 'a name that is not snake_case', collector: { name: 'Clock', metrics: [], options: {} } },
  { source: 'a metric without the rpi_ prefix', collector: { name: 'x', metrics: [{ name: 'x_hertz', help: 'h', unit: 'hertz' as const, labels: [] }], options: {} } },
  { source: 'a unit that is not a lower-case word', collector: { name: 'x', metrics: [{ name: 'rpi_fan_RPM', help: 'h', unit: 'RPM', labels: [] }], options: {} } },
  { source: 'a boolean named like a unit', collector: { name: 'x', metrics: [{ name: 'rpi_fan_rpm', help: 'h', unit: 'boolean' as const, labels: [] }], options: {} } },
  { source: 'a metric whose name lacks its unit', collector: { name: 'x', metrics: [{ name: 'rpi_x', help: 'h', unit: 'volts' as const, labels: [] }], options: {} } },
  { source: 'a reserved label', collector: { name: 'x', metrics: [{ name: 'rpi_x_volts', help: 'h', unit: 'volts' as const, labels: ['instance'] }], options: {} } },
  { source: 'a metric name node_exporter refuses', collector: { name: 'x', metrics: [{ name: 'rpi_x:y_volts', help: 'h', unit: 'volts' as const, labels: [] }], options: {} } },
  { source: 'an option name that is not snake_case', collector: { name: 'x', metrics: [], options: { 'Clocks': { help: 'h', default: '', parse: (t: string) => t } } } },
], (row) => assert.throws(() => checkCollector(row.collector)));

test('the unit vocabulary is open: a collector may declare a unit the framework does not list, named in its metric', () => {
  assert.doesNotThrow(() => checkCollector({ name: 'fan', metrics: [{ name: 'rpi_fan_speed_rpm', help: 'The fan speed.', unit: 'rpm', labels: [] }], options: {} }));
  assert.throws(() => checkCollector({ name: 'fan', metrics: [{ name: 'rpi_fan_speed', help: 'The fan speed.', unit: 'rpm', labels: [] }], options: {} }), /must end in _rpm/);
});

test('no metric is declared by two collectors', () => {
  const seen = new Map<string, string>();
  for (const c of COLLECTORS) {
    for (const m of c.metrics) {
      assert.ok(!seen.has(m.name), `${m.name} declared by ${seen.get(m.name)} and ${c.name}`);
      seen.set(m.name, c.name);
      assert.ok(m.help.length > 10 && !m.help.includes('\n'), m.name);
    }
  }
});

test('collectors read only through their context: they import the framework and each other, nothing that touches the machine', () => {
  for (const file of sources('src/collectors')) {
    for (const spec of imports(file)) {
      assert.ok(/^\.\.\/framework\/(collector|board|errors|sysfs|vcgencmd)$|^\.\/[a-z_]+$/.test(spec), `${file} imports ${spec}`);
    }
    assert.doesNotMatch(read(file), /\bprocess\.|\brequire\(/, file);
  }
});

test('only the vcgencmd module starts vcgencmd; only it (with its synchronous spawn) and install\'s systemctl start processes at all', () => {
  const spawners = sources('src').filter((f) => imports(f).includes('node:child_process')).sort();
  assert.deepEqual(spawners, ['src/deploy/actions.ts', 'src/framework/spawn-sync.ts']);
  for (const file of sources('src').filter((f) => f !== 'src/framework/vcgencmd.ts')) {
    assert.doesNotMatch(read(file), /spawn(Sync)?\([^)]*vcgencmd/, file);
  }
  assert.deepEqual(sources('src').filter((f) => imports(f).includes('./spawn-sync')), ['src/framework/vcgencmd.ts']);
  // Node's bindings are reached in one place, which falls back to child_process (see there).
  assert.deepEqual(sources('src').filter((f) => /\bbinding\(/.test(read(f))), ['src/framework/spawn-sync.ts']);
});

test('collect\'s start-up parses no code of gen-config, install, uninstall or doctor, nor commander, yaml, ajv, write-file-atomic or fast-glob', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8')) as { main: { inputs: Record<string, unknown> } };
  const loaded = Object.keys(meta.main.inputs).filter((f) => /node_modules\/(commander|yaml|ajv|write-file-atomic|fast-glob)\/|src\/(gen-config|deploy|node-exporter\/(process|directory))\b|src\/commands\/(install|uninstall|doctor|gen-config)|src\/cli\/(program|collect-help|gen-config|deploy)\b/.test(f));
  assert.deepEqual(loaded, []);
  // Node's own modules that collect does not need cost a run milliseconds to load (crypto: ~5 ms).
  const main = fs.readFileSync(path.join(ROOT, 'dist', 'main.cjs'), 'utf8');
  for (const mod of ['crypto', 'vm', 'http', 'net', 'zlib', 'worker_threads']) assert.doesNotMatch(main, new RegExp(`require\\("(node:)?${mod}"\\)`), mod);
});

/** PURE: the README's tables, from the registry. */
function collectorTable(): string {
  const rows = COLLECTORS.map((c) => {
    const options = Object.entries(c.options).map(([k, o]) => `; \`--collector.${c.name}.${k}\` (default \`${o.default}\`)`).join('');
    return `| \`${c.name}\` | ${c.defaultEnabled ? 'yes' : 'no'} | ${c.description}${options} |`;
  });
  return ['| collector | on by default | what it reads, and what that costs |', '|---|---|---|', ...rows].join('\n');
}

function metricTable(): string {
  const unit = (u: string): string => ({ info: 'info (value 1)', boolean: '0/1', number: 'number', celsius: '°C', hertz: 'Hz', volts: 'V', amperes: 'A', watts: 'W', bytes: 'bytes', seconds: 's', ratio: 'ratio' })[u] ?? u;
  const rows = COLLECTORS.flatMap((c) =>
    c.metrics.map((m) => `| \`${m.name}\` | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${unit(m.unit)} | \`${c.name}\` | ${m.help.replace(/\|/g, '\\|')} |`),
  );
  return ['| series | labels | unit | collector | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

test('the README\'s collector and metric tables are the registry\'s', () => {
  const file = path.join(ROOT, 'README.md');
  let readme = fs.readFileSync(file, 'utf8');
  for (const [name, table] of [['collectors', collectorTable()], ['metrics', metricTable()]] as const) {
    const re = new RegExp(`(<!-- ${name}: generated from the registry by npm run golden:update -->\\n)[\\s\\S]*?(<!-- /${name} -->)`);
    assert.match(readme, re, `README.md has no generated ${name} table`);
    readme = readme.replace(re, `$1${table}\n$2`);
  }
  if (UPDATE) fs.writeFileSync(file, readme);
  assert.equal(fs.readFileSync(file, 'utf8'), readme, 'README tables differ from the registry: run npm run golden:update');
});

test('knip finds no unused file, dependency, export or binary (configuration: knip.json)', () => {
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'knip'), ['--no-progress'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('npm run golden:update rewrites every golden, one test file at a time', () => {
  const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['golden:update']!;
  assert.match(script, /--test-concurrency=1\b/, 'serial: one file may read what another rewrites');
  const writers = sources('test').filter((f) => /\bUPDATE\b/.test(read(f)) && f !== 'test/helpers.ts');
  const named = [...script.matchAll(/build\/(test\/[\w/-]+)\.test\.js/g)].map((m) => `${m[1]}.test.ts`);
  assert.deepEqual(named.sort(), writers.sort());
});
