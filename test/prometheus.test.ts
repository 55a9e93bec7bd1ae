// The loop closed with real Debian daemons, on loopback only: gen-config writes the configs;
// node_exporter starts with the generated ARGS; collect writes the Pi 4B fixture's file; a real
// Prometheus started with the generated config and rules scrapes it; a PromQL query returns the
// fixture's value with its node_name. Every address in this cluster is 127.0.0.x.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { argsOf, boardArgs, freePort, httpGet, requireTool, runBundle, runMain, tempDir, waitFor } from './helpers';

const prometheus = requireTool('prometheus', 'prometheus');
const exporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

async function json(url: string): Promise<any> {
  const r = await httpGet(url);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
}

test('Prometheus with the generated config scrapes collect\'s file through node_exporter', { skip: prometheus.skip || exporter.skip, timeout: 120_000 }, async () => {
  const work = tempDir('pi-textfile-loop-');
  const textfile = path.join(work, 'textfile');
  const out = path.join(work, 'config');
  fs.mkdirSync(textfile);
  fs.mkdirSync(out);
  const [promPort, nePort, downPort, amPort, rwPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  fs.writeFileSync(path.join(work, 'cluster.yml'), [
    'cluster: loop',
    'scrape_interval: 1s',
    'scrape_timeout: 1s',
    'evaluation_interval: 1s',
    `prometheus: {address: "127.0.0.1:${promPort}"}`,
    `node_exporter: {port: ${nePort}, textfile_directory: ${textfile}}`,
    'nodes:',
    `  - name: pi4b`,
    `    address: 127.0.0.1:${nePort}`,
    '    labels: {role: worker}',
    `  - 127.0.0.3:${downPort}`,
    `alerting: {alertmanagers: ["127.0.0.1:${amPort}"]}`,
    `remote_write: [{url: "http://127.0.0.1:${rwPort}/api/v1/write"}]`,
    '',
  ].join('\n'));
  const gen = await runMain(['gen-config', '--config', path.join(work, 'cluster.yml'), '--out', out]);
  assert.equal(gen.code, 0, gen.stderr);

  const written = runBundle(['collect', '--once', '--textfile.directory', textfile, ...boardArgs('pi4b')]);
  assert.equal(written.code, 0, written.stderr);

  const defaults = fs.readFileSync(path.join(out, 'prometheus-node-exporter'), 'utf8');
  const args = argsOf(defaults);
  const ne = spawn(exporter.path!, args, { stdio: 'ignore' });
  children.push(ne);
  const neUp = await waitFor(async () => ((await httpGet(`http://127.0.0.1:${nePort}/metrics`)).status === 200 ? true : undefined), 15_000, 'node_exporter');
  assert.ok(neUp);

  const prom = spawn(prometheus.path!, [
    `--config.file=${path.join(out, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(work, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], { stdio: 'ignore' });
  children.push(prom);
  const base = `http://127.0.0.1:${promPort}`;
  await waitFor(async () => ((await httpGet(`${base}/-/ready`)).status === 200 ? true : undefined), 30_000, 'Prometheus to be ready');

  const rules = await json(`${base}/api/v1/rules`);
  assert.equal(rules.data.groups.length, 1);
  assert.equal(rules.data.groups[0].name, 'pi-textfile');
  assert.equal(rules.data.groups[0].rules.length, 11);

  const targets = await waitFor(async () => {
    const t = await json(`${base}/api/v1/targets`);
    const active = t?.data.activeTargets.filter((x: any) => x.labels.job === 'node') ?? [];
    return active.length === 2 && active.every((x: any) => x.health !== 'unknown') ? active : undefined;
  }, 30_000, 'both node targets to be scraped');
  const byName = Object.fromEntries(targets.map((x: any) => [x.labels.node_name, x]));
  assert.deepEqual(Object.keys(byName).sort(), ['127.0.0.3', 'pi4b']);
  assert.equal(byName.pi4b.health, 'up');
  assert.equal(byName.pi4b.labels.role, 'worker');
  assert.equal(byName['127.0.0.3'].health, 'down');

  const result = await waitFor(async () => {
    const q = await json(`${base}/api/v1/query?query=${encodeURIComponent('rpi_board_memory_bytes')}`);
    return q?.data.result.length === 1 ? q.data.result[0] : undefined;
  }, 30_000, 'rpi_board_memory_bytes to be scraped');
  assert.equal(result.metric.node_name, 'pi4b');
  assert.equal(result.metric.job, 'node');
  assert.equal(result.value[1], '4294967296');

  const up = await json(`${base}/api/v1/query?query=${encodeURIComponent('up{job="node",node_name="pi4b"}')}`);
  assert.equal(up.data.result[0].value[1], '1', 'node_name is on up too (a target label)');
});
