// Fleets, on loopback, with the real Debian daemons and the files gen-config writes:
// - discovery: file: a real Prometheus picks up a rewritten targets file without a reload;
// - shards, an agent and the central side: VictoriaMetrics receiving remote_write from two
//   Prometheus shards and one Prometheus agent, scraping real node_exporters serving the Pi 4B
//   fixture; every node arrives exactly once, a store outage leaves no gap, vmalert (from the same
//   Debian package) alerts on the node that stopped reporting, and a shard stops in time while
//   the store is down.
// Several node_exporters share one port on different loopback addresses (127.0.0.N), so that a
// new node rewrites the targets file alone; each listens on its own address instead of the
// generated :PORT, the only flag changed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { argsOf, boardArgs, BUNDLE, freePort, httpGet, requireTool, runMain, tempDir, waitFor } from './helpers';

const prometheus = requireTool('prometheus', 'prometheus');
const exporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');
const victoria = requireTool('victoria-metrics', 'victoria-metrics');
const vmalert = requireTool('vmalert', 'victoria-metrics');
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

/** Starts a daemon; with `log`, its output goes there (read when a test fails). */
function start(command: string, args: string[], log?: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', log === undefined ? 'ignore' : fs.openSync(log, 'a'), log === undefined ? 'ignore' : fs.openSync(log, 'a')] });
  children.push(child);
  return child;
}

/** Stops a child with SIGTERM; resolves with how long it took to exit, in ms. */
async function stop(child: ChildProcess): Promise<number> {
  const t = Date.now();
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
  return Date.now() - t;
}

/** A textfile directory holding what collect writes for the Pi 4B fixture. */
async function textfileDirectory(work: string): Promise<string> {
  const dir = path.join(work, 'textfile');
  fs.mkdirSync(dir);
  const r = await runMain(['collect', '--once', '--textfile.directory', dir, ...boardArgs('pi4b')]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** node_exporter with the generated ARGS of `file`, listening on `host` instead of every address. */
function nodeExporter(out: string, file: string, host: string): ChildProcess {
  const args = argsOf(fs.readFileSync(path.join(out, file), 'utf8')).map((a) => a.replace(/^--web\.listen-address=:(\d+)$/, `--web.listen-address=${host}:$1`));
  return start(exporter.path!, args);
}

const ready = (url: string): Promise<true> => waitFor(async () => ((await httpGet(url)).status === 200 ? true : undefined), 30_000, url);

async function activeTargets(port: number): Promise<Array<{ labels: Record<string, string>; health: string }>> {
  const r = await httpGet(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
  return (JSON.parse(r.body).data.activeTargets as Array<{ labels: Record<string, string>; health: string }>).filter((t) => t.labels.job === 'node');
}

/** inode and mtime of every file under `dir`. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else {
        const st = fs.statSync(path.join(dir, r));
        out.set(r, `${st.ino}:${st.mtimeMs}`);
      }
    }
  };
  walk('');
  return out;
}

test('discovery: file: a new node rewrites the targets file alone, and a running Prometheus scrapes it within 10 s, without a reload', { skip: prometheus.skip || exporter.skip, timeout: 120_000 }, async () => {
  const work = tempDir('pi-textfile-filesd-');
  const textfile = await textfileDirectory(work);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  const [promPort, nePort] = [await freePort(), await freePort()];
  const description = (nodes: string[]): string =>
    [
      'cluster: lab',
      'discovery: file',
      'scrape_interval: 1s',
      'scrape_timeout: 1s',
      `prometheus: {address: "127.0.0.1:${promPort}"}`,
      `node_exporter: {port: ${nePort}, textfile_directory: ${textfile}}`,
      `nodes: ${nodes.length === 0 ? '[]' : ''}`,
      ...nodes,
      '',
    ].join('\n');
  const config = path.join(work, 'cluster.yml');
  const gen = async (nodes: string[], ...flags: string[]) => {
    fs.writeFileSync(config, description(nodes));
    return runMain(['gen-config', '--config', config, '--out', out, ...flags]);
  };
  const a = '  - {name: lab-a, address: "127.0.0.1", labels: {bench: a}}';
  const b = '  - {name: lab-b, address: "127.0.0.2", labels: {bench: b}}';
  const first = await gen([a]);
  assert.equal(first.code, 0, first.stderr);
  nodeExporter(out, 'prometheus-node-exporter', '127.0.0.1');
  nodeExporter(out, 'prometheus-node-exporter', '127.0.0.2');
  const prom = start(prometheus.path!, [`--config.file=${path.join(out, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  await ready(`http://127.0.0.1:${promPort}/-/ready`);
  await waitFor(async () => ((await activeTargets(promPort)).some((t) => t.labels.node_name === 'lab-a' && t.health === 'up') ? true : undefined), 20_000, 'lab-a scraped');

  const before = snapshot(out);
  const second = await gen([a, b]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /: 1 file written, \d+ unchanged/);
  const changed = [...snapshot(out)].filter(([f, s]) => before.get(f) !== s).map(([f]) => f);
  assert.deepEqual(changed, ['pi-textfile.targets.json'], 'only the targets file is rewritten');
  const rewritten = Date.now();
  const seen = await waitFor(async () => (await activeTargets(promPort)).find((t) => t.labels.node_name === 'lab-b'), 10_000, 'lab-b among the targets within 10 s');
  const after = Date.now() - rewritten;
  assert.equal(seen.labels.bench, 'b');
  assert.equal(seen.labels.instance, `127.0.0.2:${nePort}`);
  await waitFor(async () => ((await activeTargets(promPort)).find((t) => t.labels.node_name === 'lab-b')?.health === 'up' ? true : undefined), 10_000, 'lab-b scraped');
  const reloads = await httpGet(`http://127.0.0.1:${promPort}/api/v1/query?query=prometheus_config_last_reload_success_timestamp_seconds`);
  const reloadedAt = Number(JSON.parse(reloads.body).data.result[0].value[1]) * 1000;
  assert.ok(reloadedAt < rewritten, 'the configuration was loaded once, before the rewrite: no reload');
  process.stdout.write(`# lab-b listed by Prometheus ${(after / 1000).toFixed(1)} s after gen-config rewrote the targets file\n`);

  // An empty list is refused without --force: the targets file stays as it was.
  const targets = fs.readFileSync(path.join(out, 'pi-textfile.targets.json'), 'utf8');
  const empty = await gen([]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /^pi-textfile: no node to scrape: .*pi-textfile\.targets\.json would be emptied, .* pass --force\n$/);
  assert.equal(fs.readFileSync(path.join(out, 'pi-textfile.targets.json'), 'utf8'), targets);
  const forced = await gen([], '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(fs.readFileSync(path.join(out, 'pi-textfile.targets.json'), 'utf8'), '[]\n');
  await waitFor(async () => ((await activeTargets(promPort)).length === 0 ? true : undefined), 10_000, 'no target left');
  await stop(prom);
});

test('discovery: file: a list that lost more than half of 10 or more nodes is refused without --force', async () => {
  const work = tempDir('pi-textfile-halved-');
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  const config = path.join(work, 'cluster.yml');
  const gen = async (count: number, ...flags: string[]) => {
    fs.writeFileSync(config, ['cluster: c', 'discovery: file', 'nodes:', ...Array.from({ length: count }, (_, i) => `  - 10.0.0.${i + 1}`), ''].join('\n'));
    return runMain(['gen-config', '--config', config, '--out', out, ...flags]);
  };
  assert.equal((await gen(12)).code, 0);
  assert.equal((await gen(6)).code, 0, 'half is allowed');
  assert.equal((await gen(12)).code, 0);
  const halved = await gen(5);
  assert.equal(halved.code, 2);
  assert.match(halved.stderr, /pi-textfile\.targets\.json lists 12 nodes and would list 5: more than half of the fleet would stop being scraped at once; .* pass --force/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'pi-textfile.targets.json'), 'utf8')).length, 12);
  assert.equal((await gen(5, '--force')).code, 0);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'pi-textfile.targets.json'), 'utf8')).length, 5);
  // A file of the same name that gen-config did not write is not overwritten either.
  fs.writeFileSync(path.join(out, 'pi-textfile.targets.json'), '[{"targets": ["x:1"], "labels": {}}]\n');
  const foreign = await gen(5);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /not overwriting .*pi-textfile\.targets\.json: not generated by pi-textfile/);
});

/** Prometheus's hashmod relabelling: the last 8 bytes of the value's MD5, big-endian, modulo `modulus`. */
function hashmod(value: string, modulus: number): number {
  return Number(createHash('md5').update(value).digest().readBigUInt64BE(8) % BigInt(modulus));
}

interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

test('shards, an agent and VictoriaMetrics: every node arrives once; vmalert reports the node that stopped; no gap after a store outage; a shard stops in time while the store is down', {
  skip: prometheus.skip || exporter.skip || victoria.skip || vmalert.skip,
  timeout: 300_000,
}, async (t) => {
  const work = tempDir('pi-textfile-fleet-');
  const textfile = await textfileDirectory(work);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  const [vmPort, shard0, shard1, agentPort, agentNePort, vmalertPort] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  // hashmod shares the five server nodes by their address, port included: with a random port all
  // five land on one shard once in 16 draws. Draw until both shards get some (bounded).
  let nePort = await freePort();
  for (let tries = 0; new Set([1, 2, 3, 4, 5].map((i) => hashmod(`127.0.0.${i}:${nePort}`, 2))).size < 2; tries++) {
    assert.ok(tries < 50, 'no port found that shares the nodes between both shards');
    nePort = await freePort();
  }
  // Alertmanager's API as vmalert uses it: every alert posted is recorded.
  const posted: Array<{ at: number; labels: Record<string, string>; endsAt: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/api/v2/alerts') for (const a of JSON.parse(body) as Array<{ labels: Record<string, string>; endsAt: string }>) posted.push({ at: Date.now(), labels: a.labels, endsAt: a.endsAt });
      res.end('');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const amPort = (server.address() as { port: number }).port;
  const interval = 2;
  fs.writeFileSync(path.join(work, 'cluster.yml'), [
    'cluster: fleet',
    'discovery: file',
    'shards: 2',
    `scrape_interval: ${interval}s`,
    `scrape_timeout: ${interval}s`,
    `evaluation_interval: ${interval}s`,
    `prometheus: {address: "127.0.0.1:${shard0}"}`,
    `node_exporter: {port: ${nePort}, textfile_directory: ${textfile}}`,
    `remote_write: [{url: "http://127.0.0.1:${vmPort}/api/v1/write"}]`,
    `alerting: {alertmanagers: ["127.0.0.1:${amPort}"]}`,
    `central: {evaluation_interval: ${interval}s}`,
    'alerts: {node_silent_after: 10s}',
    'nodes:',
    ...[1, 2, 3, 4, 5].map((i) => `  - {name: pi-${i}, address: "127.0.0.${i}"}`),
    `  - {name: kiosk, address: "127.0.0.9:${agentNePort}", mode: agent}`,
    '',
  ].join('\n'));
  const gen = await runMain(['gen-config', '--config', path.join(work, 'cluster.yml'), '--out', out]);
  assert.equal(gen.code, 0, gen.stderr);

  const vmArgs = [`-httpListenAddr=127.0.0.1:${vmPort}`, `-storageDataPath=${path.join(work, 'vm')}`, '-search.latencyOffset=1s', '-search.disableCache'];
  let vm = start(victoria.path!, vmArgs);
  await ready(`http://127.0.0.1:${vmPort}/health`);
  for (const i of [1, 2, 3, 4, 5]) nodeExporter(out, 'prometheus-node-exporter', `127.0.0.${i}`);
  nodeExporter(out, `prometheus-node-exporter.port-${agentNePort}`, '127.0.0.1');
  const serverArgs = argsOf(fs.readFileSync(path.join(out, 'prometheus'), 'utf8'));
  assert.deepEqual(serverArgs, ['--storage.remote.flush-deadline=15s']);
  const shards = [shard0, shard1].map((port, k) =>
    start(prometheus.path!, [...serverArgs, `--config.file=${path.join(out, `prometheus-shard-${k}.yml`)}`, `--storage.tsdb.path=${path.join(work, `shard-${k}`)}`, `--web.listen-address=127.0.0.1:${port}`]),
  );
  const agentArgs = argsOf(fs.readFileSync(path.join(out, 'agents', 'prometheus'), 'utf8')).map((a) => a.replace(/^--web\.listen-address=127\.0\.0\.1:9090$/, `--web.listen-address=127.0.0.1:${agentPort}`));
  assert.ok(agentArgs.includes(`--web.listen-address=127.0.0.1:${agentPort}`), 'the agent listens on loopback only');
  assert.ok(agentArgs.includes('--enable-feature=agent'));
  const agent = start(prometheus.path!, [...agentArgs, `--config.file=${path.join(out, 'agents', 'kiosk.yml')}`, `--storage.agent.path=${path.join(work, 'agent')}`], path.join(work, 'agent.log'));
  // vmalert as its generated unit starts it, with the rules file here and its port free.
  const unit = fs.readFileSync(path.join(out, 'pi-textfile-vmalert.service'), 'utf8');
  const execStart = /^ExecStart=\/usr\/bin\/vmalert (.*)$/m.exec(unit)![1]!.split(' ');
  const vmalertArgs = execStart.map((a) =>
    a.startsWith('-rule=') ? `-rule=${path.join(out, 'pi-textfile.fleet.rules.yml')}` : a.startsWith('-httpListenAddr=') ? `-httpListenAddr=127.0.0.1:${vmalertPort}` : a,
  );
  assert.ok(vmalertArgs.includes(`-datasource.url=http://127.0.0.1:${vmPort}`), vmalertArgs.join(' '));
  start(vmalert.path!, vmalertArgs);
  for (const port of [shard0, shard1]) await ready(`http://127.0.0.1:${port}/-/ready`);
  await ready(`http://127.0.0.1:${vmalertPort}/health`);

  const query = async (q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const r = await httpGet(`http://127.0.0.1:${vmPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body).data.result;
  };
  const nodes = ['kiosk', 'pi-1', 'pi-2', 'pi-3', 'pi-4', 'pi-5'];
  // 1. Every node exactly once across the shards and the agent, with its node_name.
  let lastSeen = '';
  const perNode = await waitFor(async () => {
    const r = await query('count by (node_name, shard, scraped_by, instance) (last_over_time(up{job="node"}[10s]))');
    lastSeen = JSON.stringify(r.map((x) => x.metric));
    return r.length === nodes.length ? r : undefined;
  }, 60_000, 'every node in VictoriaMetrics').catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${lastSeen}; the agent said: ${fs.readFileSync(path.join(work, 'agent.log'), 'utf8').split('\n').slice(-12).join(' | ')}`);
  });
  assert.deepEqual(perNode.map((s) => s.metric.node_name).sort(), nodes);
  for (const s of perNode) {
    assert.equal(s.value[1], '1', `${s.metric.node_name} arrives once`);
    if (s.metric.node_name === 'kiosk') {
      assert.equal(s.metric.scraped_by, 'agent');
      assert.equal(s.metric.shard, undefined);
      assert.equal(s.metric.instance, `127.0.0.9:${agentNePort}`);
    } else assert.match(s.metric.shard ?? '', /^[01]$/, s.metric.node_name);
  }
  const shardsUsed = new Set(perNode.map((s) => s.metric.shard).filter((x) => x !== undefined));
  assert.equal(shardsUsed.size, 2, 'both shards scrape some nodes');
  const pi = await query('count by (node_name) (rpi_throttle_condition_active{condition="under_voltage"})');
  assert.equal(pi.length, nodes.length, "every node's pi-textfile series arrive");
  const series = await query('count by (node_name) ({node_name!=""})');
  t.diagnostic(`series per node in the store: ${series.map((s) => `${s.metric.node_name} ${s.value[1]}`).join(', ')}`);

  // 2. The agent stops: vmalert reports its node, and no other.
  const agentStopped = Date.now();
  await stop(agent);
  const silent = await waitFor(async () => posted.find((a) => a.labels.alertname === 'PiNodeNotReporting'), 90_000, 'PiNodeNotReporting from vmalert');
  assert.equal(silent.labels.node_name, 'kiosk');
  assert.equal(silent.labels.cluster, 'fleet', "vmalert adds the cluster's labels");
  assert.equal(silent.labels.severity, 'critical');
  t.diagnostic(`PiNodeNotReporting posted ${((silent.at - agentStopped) / 1000).toFixed(1)} s after the agent stopped (node_silent_after 10s, pending 5s, evaluation every ${interval}s)`);
  assert.ok(!posted.some((a) => a.labels.alertname === 'PiNodeNotReporting' && a.labels.node_name !== 'kiosk'), 'no other node reported silent');

  // 3. The store goes away for 30 s; afterwards, every server node's samples have no gap.
  const outageFrom = Date.now();
  await stop(vm);
  await new Promise((r) => setTimeout(r, 30_000));
  vm = start(victoria.path!, vmArgs);
  await ready(`http://127.0.0.1:${vmPort}/health`);
  const outageTo = Date.now();
  const end = outageTo + 10_000;
  await waitFor(async () => {
    const r = await query('min(timestamp(up{job="node",scraped_by=""}))');
    return r.length === 1 && Number(r[0]!.value[1]) * 1000 > end ? true : undefined;
  }, 60_000, 'the shards to catch up');
  const exported = await httpGet(`http://127.0.0.1:${vmPort}/api/v1/export?match[]=${encodeURIComponent('up{job="node",scraped_by=""}')}&start=${Math.floor((outageFrom - 10_000) / 1000)}&end=${Math.floor(end / 1000)}`);
  const lines = exported.body.trim().split('\n').map((l) => JSON.parse(l) as VmSeries);
  assert.equal(lines.length, 5);
  for (const s of lines) {
    const ts = [...s.timestamps].sort((x, y) => x - y);
    const gaps = ts.slice(1).map((v, i) => v - ts[i]!);
    assert.ok(Math.max(...gaps) <= interval * 1000 * 2, `${s.metric.node_name}: largest gap ${Math.max(...gaps)} ms around a ${((outageTo - outageFrom) / 1000).toFixed(0)} s outage`);
    assert.ok(ts[0]! <= outageFrom && ts.at(-1)! >= outageTo, `${s.metric.node_name}: samples span the outage`);
  }

  // 4. With the store down, a shard asked to stop exits within Debian's 20 s.
  await stop(vm);
  await new Promise((r) => setTimeout(r, 3 * interval * 1000)); // samples pile up for the store
  const took = await stop(shards[0]!);
  t.diagnostic(`shard 0 stopped in ${(took / 1000).toFixed(1)} s with the store down`);
  assert.ok(took < 20_000, `${took} ms`);
  await stop(shards[1]!);
});

test('the generated ARGS read the same in the shell and in systemd: the excludes survive both', () => {
  const out = tempDir('pi-textfile-args-');
  const config = path.join(out, 'cluster.yml');
  fs.writeFileSync(config, 'cluster: c\nnodes: [pi1.local]\n');
  const r = spawnSync(process.execPath, [BUNDLE, 'gen-config', '--config', config, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(out, 'prometheus-node-exporter');
  const shell = spawnSync('sh', ['-c', '. "$1"; for a in $ARGS; do printf "%s\\n" "$a"; done', 'sh', file], { encoding: 'utf8' });
  assert.equal(shell.status, 0, shell.stderr);
  assert.deepEqual(shell.stdout.trimEnd().split('\n'), argsOf(fs.readFileSync(file, 'utf8')));
  assert.ok(argsOf(fs.readFileSync(file, 'utf8')).some((a) => a.startsWith('--collector.netdev.device-exclude=^(lo|veth')));
});

test('node_exporter excludes: container and overlay interfaces leave, the real one stays (a network namespace shaped like a k3s node)', { skip: exporter.skip || (process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'needs root for a network namespace' : false), timeout: 60_000 }, async (t) => {
  const ns = `pi-textfile-${process.pid}`;
  const ip = (...args: string[]): void => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  };
  ip('netns', 'add', ns);
  t.after(() => spawnSync('ip', ['netns', 'del', ns]));
  const inNs = (...args: string[]): void => ip('netns', 'exec', ns, 'ip', ...args);
  inNs('link', 'set', 'lo', 'up');
  // The node's own interface, and what k3s with flannel and a Docker engine add: bridges and one
  // veth pair per pod (both ends here).
  inNs('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'vethpeer0');
  for (const bridge of ['cni0', 'flannel.1', 'docker0']) inNs('link', 'add', bridge, 'type', 'bridge');
  for (let i = 1; i <= 6; i++) inNs('link', 'add', `veth${i}a0b1c2`, 'type', 'veth', 'peer', 'name', `veth${i}d3e4f5`);
  const virtual = 1 + 3 + 12;

  const work = tempDir('pi-textfile-excludes-');
  const textfile = await textfileDirectory(work);
  const port = await freePort();
  fs.writeFileSync(path.join(work, 'cluster.yml'), `cluster: c\nnode_exporter: {port: ${port}, textfile_directory: ${textfile}}\nnodes: [pi1.local]\n`);
  const gen = await runMain(['gen-config', '--config', path.join(work, 'cluster.yml'), '--out', work]);
  assert.equal(gen.code, 0, gen.stderr);
  const generated = argsOf(fs.readFileSync(path.join(work, 'prometheus-node-exporter'), 'utf8'));
  const debian = [`--collector.textfile.directory=${textfile}`, `--web.listen-address=:${port}`];
  const scrape = async (args: string[]): Promise<string[]> => {
    const child = spawn('ip', ['netns', 'exec', ns, exporter.path!, ...args.map((a) => a.replace(/^--web\.listen-address=:/, '--web.listen-address=127.0.0.1:'))], { stdio: 'ignore' });
    children.push(child);
    try {
      const fetch = `require('http').get('http://127.0.0.1:${port}/metrics', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(b)); }).on('error', () => process.exit(1))`;
      return await waitFor(async () => {
        const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', fetch], { encoding: 'utf8', timeout: 10_000 });
        return r.status === 0 && r.stdout.includes('node_textfile_scrape_error 0') ? r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')) : undefined;
      }, 20_000, 'node_exporter in the namespace');
    } finally {
      await stop(child);
    }
  };
  const before = await scrape(debian);
  const after = await scrape(generated);
  const devices = (series: string[]) => new Set(series.filter((l) => l.startsWith('node_network_')).map((l) => /device="([^"]*)"/.exec(l)?.[1]).filter((d): d is string => d !== undefined));
  assert.deepEqual([...devices(after)].sort(), ['eth0'], 'only the real interface is left');
  assert.ok(devices(before).has('veth1a0b1c2') && devices(before).has('cni0'), "node_exporter's defaults keep them all");
  const perInterface = (before.length - after.length) / virtual;
  t.diagnostic(`series: ${before.length} with Debian's defaults, ${after.length} with the generated excludes, ${virtual} virtual interfaces left out: ${perInterface.toFixed(1)} series each`);
  assert.ok(perInterface >= 20, `${perInterface} series per interface`);
});
