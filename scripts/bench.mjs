// Benchmark: CPU time and peak memory of `pi-textfile collect --once` on the Pi 4B fixture, against
// `node -e 0` on the same machine, as medians and ratios; the long-running mode's cost per
// collection and resident memory. Runs are interleaved so that machine
// noise hits both alike. CPU time includes the (stand-in) vcgencmd processes collect starts.
//   npm run bench [-- RUNS]
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const runs = Number(process.argv[2] ?? 31);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const fixture = path.join(root, 'test', 'fixtures', 'boards', 'pi4b');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pi-textfile-bench-'));
// A procfs copy with a boot id, so the per-boot readings are cached as on a real board.
const proc = path.join(work, 'proc');
fs.cpSync(path.join(fixture, 'proc'), proc, { recursive: true });
fs.mkdirSync(path.join(proc, 'sys', 'kernel', 'random'), { recursive: true });
fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'bench\n');
const out = path.join(work, 'textfile');
fs.mkdirSync(out);
const extra = fs.readFileSync(path.join(fixture, 'args'), 'utf8').split(/\s+/).filter(Boolean);
const collect = [process.execPath, path.join(root, 'dist', 'pi-textfile.cjs'), 'collect', '--once', '--textfile.directory', out,
  '--path.procfs', proc, '--path.sysfs', path.join(fixture, 'sys'), '--vcgencmd', path.join(fixture, 'vcgencmd', 'vcgencmd'), ...extra];
const baseline = [process.execPath, '-e', '0'];

const sample = (argv) => {
  const [cpu, rss] = execFileSync('python3', [path.join(root, 'scripts', 'rusage.py'), '1', ...argv], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { cpu, rss };
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

for (let i = 0; i < 3; i++) { sample(baseline); sample(collect); } // warm the page cache and the per-boot cache
const base = [];
const ours = [];
for (let i = 0; i < runs; i++) { base.push(sample(baseline)); ours.push(sample(collect)); }

const b = { cpu: median(base.map((s) => s.cpu)), rss: median(base.map((s) => s.rss)) };
const o = { cpu: median(ours.map((s) => s.cpu)), rss: median(ours.map((s) => s.rss)) };
console.log(`node ${process.version}, ${runs} interleaved runs each, medians`);
console.log(`                         CPU (user+sys)   peak RSS`);
console.log(`node -e 0                ${(b.cpu * 1000).toFixed(1).padStart(8)} ms   ${(b.rss / 1024).toFixed(1).padStart(6)} MiB`);
console.log(`collect --once (pi4b)    ${(o.cpu * 1000).toFixed(1).padStart(8)} ms   ${(o.rss / 1024).toFixed(1).padStart(6)} MiB`);
console.log(`ratio                    ${(o.cpu / b.cpu).toFixed(2).padStart(8)} x    ${(o.rss / b.rss).toFixed(2).padStart(6)} x`);

// The long-running mode (pi-textfile-daemon.service): CPU per collection once started, and the
// resident memory it keeps, from /proc/PID/stat (children included) over 40 one-second ticks.
const loop = spawn(collect[0], [...collect.slice(1).filter((a) => a !== '--once'), '--interval', '1s'], { stdio: 'ignore' });
const stat = () => {
  const f = fs.readFileSync(`/proc/${loop.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // USER_HZ is 100 on Linux
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${loop.pid}/status`, 'utf8'))[1]);
  return { cpu, rss, at: performance.now() };
};
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
await pause(3000);
const s0 = stat();
await pause(40_000);
const s1 = stat();
loop.kill('SIGTERM');
const ticks = (s1.at - s0.at) / 1000;
const perTick = (s1.cpu - s0.cpu) / ticks;
console.log(`long-running, per collection ${(perTick * 1000).toFixed(1).padStart(8)} ms   ${(s1.rss / 1024).toFixed(1).padStart(6)} MiB resident after ${Math.round(ticks) + 3} collections (${(perTick / o.cpu).toFixed(2)} x the CPU of one --once run)`);

// gen-config on a 1,000-node description: wall time of the whole command, median of 7 runs.
const big = path.join(work, 'cluster-1000.yml');
const lines = ['cluster: big', 'external_labels: {monitor: big}', 'alerting: {alertmanagers: [alertmanager.local:9093]}', 'nodes:'];
for (let i = 0; i < 1000; i++) lines.push(`  - name: pi-${i}`, `    address: 10.${Math.floor(i / 250)}.${i % 250}.1:9100`, `    labels: {rack: r${i % 20}, role: worker}`);
fs.writeFileSync(big, `${lines.join('\n')}\n`);
const genOut = path.join(work, 'gen');
fs.mkdirSync(genOut);
const walls = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(root, 'dist', 'pi-textfile.cjs'), 'gen-config', '--config', big, '--out', genOut]);
  walls.push(performance.now() - t0);
}
console.log(`gen-config, 1,000 nodes      ${median(walls).toFixed(0).padStart(8)} ms wall (median of 7, whole command)`);
fs.rmSync(work, { recursive: true, force: true });
