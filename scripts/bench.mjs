// Benchmark: what one collection costs, from one interleaved run, as medians and ratios.
//   npm run bench [-- RUNS]
// Rows, each on the Pi 4B fixture (its stand-in vcgencmd is a shell script, so every process
// costs about what a real vcgencmd costs):
//   node -e 0                           Node's own start, the floor of any Node collector
//   the shell-script way                test/fixtures/bench/shell-exporter.sh: one vcgencmd per
//                                       reading, sed, a temp file and mv
//   collect --once, steady state        the per-boot answers cached, as on every run but the first
//   collect --once, first after boot    the per-boot answers read again
// then the long-running mode (CPU per collection, beside the cost of its processes alone, and its
// resident memory), and gen-config on 1,000 nodes. CPU is user+system time including the
// processes waited for (wait4); memory is peak RSS. NODE_OPTIONS and NODE_EXTRA_CA_CERTS are
// removed from every side's environment: the latter alone makes each Node start load
// certificates, which triples `node -e 0` and hides the program's own cost.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const runs = Number(process.argv[2] ?? 31);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const fixture = path.join(root, 'test', 'fixtures', 'boards', 'pi4b');
const vcgencmd = path.join(fixture, 'vcgencmd', 'vcgencmd');
const env = { ...process.env };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pi-textfile-bench-'));
// A procfs copy with a boot id, so the per-boot readings are cached as on a real board.
const proc = path.join(work, 'proc');
fs.cpSync(path.join(fixture, 'proc'), proc, { recursive: true });
fs.mkdirSync(path.join(proc, 'sys', 'kernel', 'random'), { recursive: true });
fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'bench\n');
const out = (name) => {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  return dir;
};
const steadyDir = out('steady');
const firstDir = out('first');
const shellDir = out('shell');
const extra = fs.readFileSync(path.join(fixture, 'args'), 'utf8').split(/\s+/).filter(Boolean);
const collect = (dir) => [process.execPath, path.join(root, 'dist', 'pi-textfile.cjs'), 'collect', '--once', '--textfile.directory', dir,
  '--path.procfs', proc, '--path.sysfs', path.join(fixture, 'sys'), '--vcgencmd', vcgencmd, ...extra];

const rows = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'the shell-script way', argv: ['sh', path.join(root, 'test', 'fixtures', 'bench', 'shell-exporter.sh'), vcgencmd, path.join(shellDir, 'pi.prom')] },
  { name: 'collect --once, steady state', argv: collect(steadyDir) },
  // Each run starts as the first after a boot: the per-boot cache is removed before it.
  { name: 'collect --once, first after boot', argv: collect(firstDir), before: () => fs.rmSync(path.join(firstDir, '.pi-textfile.prom.boot-cache.json'), { force: true }) },
];

const sample = (argv) => {
  const [cpu, rss] = execFileSync('python3', [path.join(root, 'scripts', 'rusage.py'), '1', ...argv], { encoding: 'utf8', env }).trim().split(' ').map(Number);
  return { cpu, rss };
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

for (let i = 0; i < 3; i++) for (const r of rows) (r.before?.(), sample(r.argv)); // warm the page cache and the per-boot cache
const results = rows.map(() => []);
for (let i = 0; i < runs; i++) {
  rows.forEach((r, j) => {
    r.before?.();
    results[j].push(sample(r.argv));
  });
}
const med = results.map((xs) => ({ cpu: median(xs.map((s) => s.cpu)), rss: median(xs.map((s) => s.rss)) }));
const [base, shell] = med;
const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
const x = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`node ${process.version} (${process.arch}), ${runs} interleaved runs each, medians; NODE_OPTIONS and NODE_EXTRA_CA_CERTS removed`);
console.log('');
console.log('| | CPU | x node -e 0 | x shell way | peak RSS | x node -e 0 |');
console.log('|---|---|---|---|---|---|');
rows.forEach((r, j) => {
  const m = med[j];
  console.log(`| ${r.name} | ${ms(m.cpu)} | ${x(m.cpu, base.cpu)} | ${x(m.cpu, shell.cpu)} | ${(m.rss / 1024).toFixed(1)} MiB | ${x(m.rss, base.rss)} |`);
});

// The long-running mode: CPU per collection once started, from /proc/PID/stat (children
// included), over 40 one-second ticks, beside what its processes alone cost (the stand-in
// vcgencmd for the three readings of a steady-state run), and its resident memory.
const processes = ['get_throttled', 'measure_clock arm', 'measure_volts core'].map((args) =>
  median(Array.from({ length: 11 }, () => sample([vcgencmd, ...args.split(' ')]).cpu)),
).reduce((a, b) => a + b, 0);
const loopDir = out('loop');
const loopArgv = collect(loopDir).filter((a) => a !== '--once');
const loop = spawn(loopArgv[0], [...loopArgv.slice(1), '--interval', '1s'], { stdio: 'ignore', env });
const stat = () => {
  const f = fs.readFileSync(`/proc/${loop.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // USER_HZ is 100 on Linux
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${loop.pid}/status`, 'utf8'))[1]);
  return { cpu, rss, at: performance.now() };
};
const pause = (msec) => new Promise((r) => setTimeout(r, msec));
await pause(3000);
const s0 = stat();
const rssSeen = [];
for (let i = 0; i < 8; i++) {
  await pause(5000);
  rssSeen.push(stat().rss);
}
const s1 = stat();
loop.kill('SIGTERM');
const perTick = (s1.cpu - s0.cpu) / ((s1.at - s0.at) / 1000);
console.log('');
console.log(`long-running mode: ${ms(perTick)} CPU per collection, of which its 3 processes alone ${ms(processes)} (${ms(perTick - processes)} its own);`);
console.log(`  resident memory every 5 s over 40 collections: ${rssSeen.map((k) => (k / 1024).toFixed(1)).join(' ')} MiB`);

// gen-config on a 1,000-node description: wall time of the whole command, median of 7 runs.
const big = path.join(work, 'cluster-1000.yml');
const lines = ['cluster: big', 'external_labels: {monitor: big}', 'alerting: {alertmanagers: [alertmanager.local:9093]}', 'nodes:'];
for (let i = 0; i < 1000; i++) lines.push(`  - name: pi-${i}`, `    address: 10.${Math.floor(i / 250)}.${i % 250}.1:9100`, `    labels: {rack: r${i % 20}, role: worker}`);
fs.writeFileSync(big, `${lines.join('\n')}\n`);
const genOut = out('gen');
const walls = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(root, 'dist', 'pi-textfile.cjs'), 'gen-config', '--config', big, '--out', genOut], { env });
  walls.push(performance.now() - t0);
}
console.log('');
console.log(`gen-config, 1,000 nodes: ${median(walls).toFixed(0)} ms wall (median of 7, whole command)`);
console.log('');
console.log('arm64 and armv7l under qemu-user: not measured by this script yet.');
fs.rmSync(work, { recursive: true, force: true });
