// The alerting chain end to end, on loopback, with real Debian daemons and the files gen-config
// writes: collect -> node_exporter -> Prometheus (generated rules) -> Alertmanager 0.25 (generated
// alertmanager.yml, started with the generated ARGS) -> webhook and Discord-style receivers this
// test runs. The board is the Pi 3 fixture; its get_throttled answers are `throttled=0x50005`
// (under-voltage now and since boot, as reported on a Pi 3 in raspberrypi/firmware#615, see
// SEMANTICS.md) and then the real capture `throttled=0x50000` from the same issue (recovered).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { argsOf, BOARDS, fixtureVcgencmd, freePort, httpGet, requireTool, runMain, tempDir, waitFor } from './helpers';

const prometheus = requireTool('prometheus', 'prometheus');
const exporter = requireTool('prometheus-node-exporter', 'prometheus-node-exporter');
const alertmanager = requireTool('prometheus-alertmanager', 'prometheus-alertmanager');
const skip = prometheus.skip || exporter.skip || alertmanager.skip;
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

interface Delivery {
  at: number;
  path: string;
  authorization?: string;
  body: any;
}

/** A receiver for Alertmanager's notifications on loopback; every request is recorded. */
async function receiver(): Promise<{ port: number; got: Delivery[]; close(): void }> {
  const got: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ at: Date.now(), path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, got, close: () => server.close() };
}

const webhookAlerts = (got: Delivery[], p: string): Array<{ status: string; alertname: string; node: string; severity: string }> =>
  got
    .filter((d) => d.path === p)
    .flatMap((d) => (d.body.alerts as any[]).map((a) => ({ status: a.status as string, alertname: a.labels.alertname as string, node: a.labels.node_name as string, severity: a.labels.severity as string })));

test('under-voltage reaches the critical receivers and its resolution follows; warnings are batched apart, and a down node silences its own', { skip, timeout: 240_000 }, async (t) => {
  const work = tempDir('pi-textfile-alerting-');
  const textfile = path.join(work, 'textfile');
  const out = path.join(work, 'config');
  for (const d of [textfile, out]) fs.mkdirSync(d);
  const vcgencmd = fixtureVcgencmd(path.join(work, 'vcgencmd'), 'pi3b', {});
  const hooks = await receiver();
  t.after(() => hooks.close());
  const [promPort, nePort, amPort] = [await freePort(), await freePort(), await freePort()];
  const token = path.join(work, 'ntfy.token');
  fs.writeFileSync(token, 'tk_secret\n');
  const discordUrl = path.join(work, 'discord.url');
  fs.writeFileSync(discordUrl, `http://127.0.0.1:${hooks.port}/discord/slack\n`);
  fs.writeFileSync(path.join(work, 'cluster.yml'), [
    'cluster: alerts',
    'scrape_interval: 1s',
    'scrape_timeout: 1s',
    'evaluation_interval: 1s',
    `prometheus: {address: "127.0.0.1:${promPort}"}`,
    `node_exporter: {port: ${nePort}, textfile_directory: ${textfile}}`,
    'nodes:',
    `  - {name: pi3b, address: "127.0.0.1:${nePort}"}`,
    'alerts: {under_voltage_keep_firing_for: 1s}',
    'alertmanager:',
    `  address: "127.0.0.1:${amPort}"`,
    '  critical: {receivers: [ntfy, discord], group_wait: 1s, group_interval: 1s}',
    '  warning: {receivers: [team], group_wait: 1s, group_interval: 1s}',
    '  receivers:',
    `    - {name: ntfy, webhook: {url: "http://127.0.0.1:${hooks.port}/critical", bearer_token_file: ${token}}}`,
    `    - {name: discord, discord: {webhook_url_file: ${discordUrl}}}`,
    `    - {name: team, webhook: {url: "http://127.0.0.1:${hooks.port}/warning"}}`,
    '',
  ].join('\n'));
  const gen = await runMain(['gen-config', '--config', path.join(work, 'cluster.yml'), '--out', out]);
  assert.equal(gen.code, 0, gen.stderr);

  const collect = async (throttled: string): Promise<void> => {
    fs.writeFileSync(path.join(path.dirname(vcgencmd), 'get_throttled.txt'), throttled);
    const r = await runMain(['collect', '--once', '--textfile.directory', textfile, '--path.procfs', path.join(BOARDS, 'pi3b', 'proc'), '--path.sysfs', path.join(BOARDS, 'pi3b', 'sys'),
      '--vcgencmd', vcgencmd, '--collector.disable-defaults', '--collector.throttled']);
    assert.equal(r.code, 0, r.stderr);
  };
  const recovered = fs.readFileSync(path.join(BOARDS, 'pi3b', 'vcgencmd', 'get_throttled.txt'), 'utf8');
  assert.equal(recovered.trim(), 'throttled=0x50000');
  await collect(recovered);

  const defaults = (file: string): string[] => argsOf(fs.readFileSync(path.join(out, file), 'utf8'));
  children.push(spawn(exporter.path!, defaults('prometheus-node-exporter'), { stdio: 'ignore' }));
  await waitFor(async () => ((await httpGet(`http://127.0.0.1:${nePort}/metrics`)).status === 200 ? true : undefined), 15_000, 'node_exporter');
  const amArgs = defaults('prometheus-alertmanager');
  assert.deepEqual(amArgs, ['--cluster.listen-address=', `--web.listen-address=127.0.0.1:${amPort}`]);
  children.push(spawn(alertmanager.path!, [...amArgs, `--config.file=${path.join(out, 'alertmanager.yml')}`, `--storage.path=${path.join(work, 'am')}`], { stdio: 'ignore' }));
  await waitFor(async () => ((await httpGet(`http://127.0.0.1:${amPort}/-/ready`)).status === 200 ? true : undefined), 30_000, 'Alertmanager');
  children.push(spawn(prometheus.path!, [`--config.file=${path.join(out, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' }));
  await waitFor(async () => ((await httpGet(`http://127.0.0.1:${promPort}/-/ready`)).status === 200 ? true : undefined), 30_000, 'Prometheus');

  // Recovered since boot only: the warning arrives on the warning route, nothing on the critical one.
  await waitFor(async () => (webhookAlerts(hooks.got, '/warning').some((a) => a.alertname === 'PiUnderVoltageSinceBoot') ? true : undefined), 60_000, 'PiUnderVoltageSinceBoot on the warning route');

  // Under-voltage now: PiUnderVoltage on both critical receivers.
  const underVoltageAt = Date.now();
  await collect('throttled=0x50005\n');
  const first = await waitFor(async () => hooks.got.find((d) => d.path === '/critical'), 60_000, 'PiUnderVoltage on the critical webhook');
  t.diagnostic(`PiUnderVoltage delivered ${((first.at - underVoltageAt) / 1000).toFixed(1)} s after collect wrote under-voltage (scrape and evaluation every 1 s, group_wait 1s)`);
  assert.equal(first.authorization, 'Bearer tk_secret', 'the token, read from its file');
  assert.deepEqual(webhookAlerts([first], '/critical'), [{ status: 'firing', alertname: 'PiUnderVoltage', node: 'pi3b', severity: 'critical' }]);
  assert.equal(first.body.groupLabels.alertname, 'PiUnderVoltage');
  assert.equal(first.body.groupLabels.node_name, 'pi3b');
  const discord = await waitFor(async () => hooks.got.find((d) => d.path === '/discord/slack'), 30_000, 'the Discord (Slack-compatible) receiver');
  assert.match(JSON.stringify(discord.body), /\[FIRING:1\] PiUnderVoltage/);

  // Recovered: the resolution follows on the critical route.
  await collect(recovered);
  await waitFor(async () => (webhookAlerts(hooks.got, '/critical').some((a) => a.alertname === 'PiUnderVoltage' && a.status === 'resolved') ? true : undefined), 60_000, 'PiUnderVoltage resolved');
  assert.ok(!webhookAlerts(hooks.got, '/warning').some((a) => a.alertname === 'PiUnderVoltage'), 'critical alerts stay off the warning route');
  assert.ok(!webhookAlerts(hooks.got, '/critical').some((a) => a.severity === 'warning'), 'warnings stay off the critical route');

  // A node that is down silences its own warnings, not another node's (alerts sent to Alertmanager's API).
  const post = (alerts: object[]): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request(`http://127.0.0.1:${amPort}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(alerts));
    });
  const labels = (alertname: string, severity: string, node: string) => ({ labels: { alertname, severity, node_name: node, cluster: 'alerts' } });
  assert.equal(await post([labels('PiNodeDown', 'critical', 'ghost')]), 200);
  await waitFor(async () => (webhookAlerts(hooks.got, '/critical').some((a) => a.alertname === 'PiNodeDown' && a.node === 'ghost') ? true : undefined), 30_000, 'PiNodeDown');
  assert.equal(await post([labels('PiTemperatureHigh', 'warning', 'ghost'), labels('PiTemperatureHigh', 'warning', 'other')]), 200);
  await waitFor(async () => (webhookAlerts(hooks.got, '/warning').some((a) => a.alertname === 'PiTemperatureHigh' && a.node === 'other') ? true : undefined), 30_000, "the other node's warning");
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(webhookAlerts(hooks.got, '/warning').filter((a) => a.node === 'ghost'), [], "the down node's warning is inhibited");
});
