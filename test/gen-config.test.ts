// gen-config: goldens per cluster description, checked by promtool; invalid descriptions, each with
// its exact message, line and column.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { OUTPUTS, rowOf } from '../src/gen-config/outputs';
import type { OutputFile } from '../src/gen-config/toolbox';
import { argsOf, filesUnder, MUTATING, requireTool, ROOT, runMain, table, tempDir, UPDATE } from './helpers';

const CLUSTERS = path.join(ROOT, 'test', 'fixtures', 'clusters');

const promtool = requireTool('promtool', 'prometheus');
const amtool = requireTool('amtool', 'prometheus-alertmanager');
const vmalert = requireTool('vmalert', 'victoria-metrics');
const systemdAnalyze = requireTool('systemd-analyze', 'systemd');

for (const name of fs.readdirSync(CLUSTERS).filter((n) => fs.existsSync(path.join(CLUSTERS, n, 'cluster.yml'))).sort()) {
  const dir = path.join(CLUSTERS, name);
  test(`gen-config golden: ${name}`, async () => {
    const out = tempDir();
    const r = await runMain(['gen-config', '--config', path.join(dir, 'cluster.yml'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const outputs = filesUnder(out);
    if (UPDATE) {
      fs.rmSync(path.join(dir, 'expected'), { recursive: true, force: true });
      for (const f of outputs) {
        fs.mkdirSync(path.dirname(path.join(dir, 'expected', f)), { recursive: true });
        fs.copyFileSync(path.join(out, f), path.join(dir, 'expected', f));
      }
    }
    assert.deepEqual(outputs, filesUnder(path.join(dir, 'expected')), `${name}: the files written`);
    for (const f of outputs) assert.equal(fs.readFileSync(path.join(out, f), 'utf8'), fs.readFileSync(path.join(dir, 'expected', f), 'utf8'), `${name}/${f}`);
    const again = tempDir();
    await runMain(['gen-config', '--config', path.join(dir, 'cluster.yml'), '--out', again]);
    for (const f of outputs) assert.equal(fs.readFileSync(path.join(again, f), 'utf8'), fs.readFileSync(path.join(out, f), 'utf8'), 'deterministic');
    if (!outputs.includes('prometheus.yml')) return; // shards: no single prometheus.yml to print
    const stdout = await runMain(['gen-config', '--config', path.join(dir, 'cluster.yml')]);
    const written = fs.readFileSync(path.join(out, 'prometheus.yml'), 'utf8');
    assert.ok(written.includes('\nrule_files:\n  - pi-textfile.rules.yml\n'));
    assert.equal(stdout.stdout, written.replace('\nrule_files:\n  - pi-textfile.rules.yml\n', '\n'), 'without --out: prometheus.yml on stdout, without the rules file it did not write');
  });

  test(`promtool check config and check rules: ${name}`, { skip: MUTATING || promtool.skip }, () => {
    const expected = path.join(dir, 'expected');
    const files = filesUnder(expected);
    const servers = files.filter((f) => /^prometheus(-shard-\d+)?\.yml$/.test(f));
    assert.ok(servers.length > 0);
    for (const f of servers) {
      const config = spawnSync(promtool.path!, ['check', 'config', path.join(expected, f)], { encoding: 'utf8' });
      assert.equal(config.status, 0, config.stdout + config.stderr);
    }
    for (const f of files.filter((f) => f.startsWith('agents/') && f.endsWith('.yml'))) {
      const config = spawnSync(promtool.path!, ['check', 'config', '--agent', path.join(expected, f)], { encoding: 'utf8' });
      assert.equal(config.status, 0, config.stdout + config.stderr);
      assert.match(config.stdout, /SUCCESS/);
    }
    const rules = spawnSync(promtool.path!, ['check', 'rules', '--lint-fatal', path.join(expected, 'pi-textfile.rules.yml')], { encoding: 'utf8' });
    assert.equal(rules.status, 0, rules.stdout + rules.stderr);
    assert.match(rules.stdout, /SUCCESS: 11 rules found/);
    if (files.includes('pi-textfile.fleet.rules.yml')) {
      const fleet = spawnSync(promtool.path!, ['check', 'rules', '--lint-fatal', path.join(expected, 'pi-textfile.fleet.rules.yml')], { encoding: 'utf8' });
      assert.equal(fleet.status, 0, fleet.stdout + fleet.stderr);
      if (!vmalert.skip) {
        // Its real consumer, which loads and validates every expression and template.
        const dry = spawnSync(vmalert.path!, ['-dryRun', `-rule=${path.join(expected, 'pi-textfile.fleet.rules.yml')}`], { encoding: 'utf8' });
        assert.equal(dry.status, 0, dry.stdout + dry.stderr);
      }
    }
  });

  if (fs.existsSync(path.join(dir, 'expected', 'pi-textfile-vmalert.service'))) {
    test(`systemd-analyze verify and security: the vmalert unit of ${name}`, { skip: MUTATING || systemdAnalyze.skip || vmalert.skip }, () => {
      const unit = path.join(dir, 'expected', 'pi-textfile-vmalert.service');
      const verify = spawnSync(systemdAnalyze.path!, ['verify', unit], { encoding: 'utf8' });
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      assert.equal(`${verify.stdout}${verify.stderr}`, '', 'no warnings');
      const security = spawnSync(systemdAnalyze.path!, ['security', '--offline=yes', unit], { encoding: 'utf8' });
      const level = Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(security.stdout + security.stderr)?.[1]);
      assert.ok(level <= 2.0, `exposure ${level}`);
    });
  }

  if (fs.existsSync(path.join(dir, 'expected', 'alertmanager.yml'))) {
    test(`amtool check-config: ${name}`, { skip: MUTATING || amtool.skip }, () => {
      const expected = path.join(dir, 'expected');
      const r = spawnSync(amtool.path!, ['check-config', path.join(expected, 'alertmanager.yml')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS/);
      assert.match(r.stdout, /- 2 receivers/);
      assert.match(r.stdout, new RegExp(`- ${fs.existsSync(path.join(expected, 'prometheus-shard-0.yml')) ? 4 : 3} inhibit rules`));
      const args = argsOf(fs.readFileSync(path.join(expected, 'prometheus-alertmanager'), 'utf8'));
      assert.ok(args.includes('--cluster.listen-address='), 'no cluster gossip port');
      // On loopback when the description's Alertmanager is local (the default), else on every address.
      const address = /^alertmanager:\n(?: {2}.*\n)*? {2}address: (\S+)/m.exec(fs.readFileSync(path.join(dir, 'cluster.yml'), 'utf8'))?.[1] ?? 'localhost:9093';
      const listen = /^(localhost|127\.0\.0\.1)(:|$)/.test(address) ? '127.0.0.1:9093' : ':9093';
      assert.ok(args.includes(`--web.listen-address=${listen}`), args.join(' '));
    });
  }
}

test('promtool test rules: every alert fires and stays silent at the right times', { skip: MUTATING || promtool.skip }, () => {
  const r = spawnSync(promtool.path!, ['test', 'rules', path.join(ROOT, 'test', 'rules', 'pi-textfile.rules.test.yml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('promtool test rules: the central side of shards and of agents (the fleet goldens)', { skip: MUTATING || promtool.skip }, () => {
  for (const f of ['fleet-shards.rules.test.yml', 'fleet-agents.rules.test.yml']) {
    const r = spawnSync(promtool.path!, ['test', 'rules', path.join(ROOT, 'test', 'rules', f)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
  }
});

test('the rules tested by promtool are the generated ones', () => {
  const tested = fs.readFileSync(path.join(ROOT, 'test', 'rules', 'pi-textfile.rules.yml'), 'utf8');
  assert.equal(tested, fs.readFileSync(path.join(CLUSTERS, 'three-node', 'expected', 'pi-textfile.rules.yml'), 'utf8'));
});

/** Runs gen-config --check on `yaml` and returns its stderr lines (without the summary line). */
async function problems(yaml: string): Promise<{ code: number; lines: string[] }> {
  const file = path.join(tempDir(), 'cluster.yml');
  fs.writeFileSync(file, yaml);
  const r = await runMain(['gen-config', '--check', '--config', file]);
  const lines = r.stderr.trim().split('\n').filter((l) => l !== '').map((l) => l.split(file).join('cluster.yml'));
  if (r.code !== 0) assert.match(lines.pop()!, /^cluster.yml: \d+ problems?; nothing was written$/);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  return { code: r.code, lines };
}

const VALID = 'cluster: c\nnodes:\n  - a.local\n';

test('gen-config --check: a valid description', async () => {
  const file = path.join(tempDir(), 'cluster.yml');
  fs.writeFileSync(file, VALID);
  const r = await runMain(['gen-config', '--check', '--config', file]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${file}: valid (1 node)\n`);
});

const MISTAKES: Array<[string, string, string[]]> = [
  ['port outside 1-65535', 'cluster: c\nnodes:\n  - a.local\n  - b.local\n  - name: kube-2\n    address: "kube-2.local:99999"\n',
    ['cluster.yml:6:14: /nodes/2/address: "kube-2.local:99999" has a port outside 1-65535']],
  ['duplicate node names', 'cluster: c\nnodes:\n  - name: pi\n    address: a.local\n  - name: pi\n    address: b.local\n',
    ['cluster.yml:5:11: /nodes/1/name: node name "pi" is used by /nodes/0 too; give each node its own name']],
  ['duplicate addresses (default port made explicit)', 'cluster: c\nnodes:\n  - a.local\n  - a.local:9100\n',
    ['cluster.yml:4:5: /nodes/1: "a.local:9100" is the address of /nodes/0 too; each node must have its own address']],
  ['timeout above interval', 'cluster: c\nscrape_interval: 10s\nscrape_timeout: 20s\nnodes: [a]\n',
    ['cluster.yml:3:17: /scrape_timeout: "20s" is longer than scrape_interval (10s); Prometheus refuses a scrape timeout above the interval']],
  ['a duration Prometheus rejects', 'cluster: c\nscrape_interval: 1.5m\nnodes: [a]\n',
    ['cluster.yml:2:18: /scrape_interval: "1.5m" is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first, like 30s or 1m30s']],
  ['units out of order', 'cluster: c\nevaluation_interval: 30m1h\nnodes: [a]\n',
    ['cluster.yml:2:22: /evaluation_interval: "30m1h" is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first, like 30s or 1m30s']],
  ['a label name Prometheus rejects', 'cluster: c\nexternal_labels:\n  bad-name: x\nnodes: [a]\n',
    ['cluster.yml:3:3: /external_labels/bad-name: "bad-name" is not a valid label name: use letters, digits and _, not starting with a digit']],
  ['a node label pi-textfile sets', 'cluster: c\nnodes:\n  - address: a\n    labels: {job: x}\n',
    ['cluster.yml:4:14: /nodes/0/labels/job: label "job" is set by pi-textfile or Prometheus; choose another name']],
  ['$ in an external label value', 'cluster: c\nexternal_labels: {monitor: "a$HOME"}\nnodes: [a]\n',
    ['cluster.yml:2:28: /external_labels/monitor: "a$HOME" contains $, which Prometheus 3 expands as an environment variable; remove it']],
  ['missing required keys', 'scrape_interval: 30s\n',
    ['cluster.yml:1:1: /: missing required key "cluster"', 'cluster.yml:1:1: /: missing required key "nodes"']],
  ['an unknown key', 'cluster: c\nnodes: [a]\nscrape_intervall: 30s\n',
    ['cluster.yml:3:1: /scrape_intervall: unknown key "scrape_intervall"; did you mean "scrape_interval"?']],
  ['a wrong type', 'cluster: c\nnode_exporter: {port: "9100"}\nnodes: [a]\n',
    ['cluster.yml:2:23: /node_exporter/port: "9100" must be a whole number']],
  ['no nodes', 'cluster: c\nnodes: []\n', ['cluster.yml:2:8: /nodes: needs at least one node']],
  ['a URL as an address', 'cluster: c\nnodes:\n  - http://a.local:9100/metrics\n',
    ['cluster.yml:3:5: /nodes/0: "http://a.local:9100/metrics" is not an address: write host or host:port, without http:// or a path']],
  ['remote_write without a scheme', 'cluster: c\nnodes: [a]\nremote_write:\n  - url: rw.example/api\n',
    ['cluster.yml:4:10: /remote_write/0/url: "rw.example/api" must be an http:// or https:// URL']],
  ['warning above critical', 'cluster: c\nnodes: [a]\nalerts: {temperature_warning_celsius: 85}\n',
    ['cluster.yml:3:39: /alerts/temperature_warning_celsius: the warning temperature (85) must be below the critical one (80)']],
  ['duplicate keys', 'cluster: c\nnodes: [a]\ncluster: d\n', ['cluster.yml:3:1: /: "cluster" appears twice in the same mapping; keep one']],
  ['tags', 'cluster: !!str c\nnodes: [!custom a]\n', [
    'cluster.yml:1:16: /: YAML tags such as !!str are not allowed; write plain values',
    'cluster.yml:2:17: /: YAML tags such as !custom are not allowed; write plain values']],
  ['several documents', 'cluster: c\nnodes: [a]\n---\ncluster: d\n',
    ['cluster.yml:3:1: /: the file holds more than one YAML document (---); put the whole description in one']],
  ['an alias bomb', 'cluster: c\nnodes: [a]\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
    ['cluster.yml:1:1: /: the aliases (*name) expand to too much data (Excessive alias count indicates a resource exhaustion attack); write the values out']],
  ['an empty file', '', ['cluster.yml:1:1: /: the file is empty; it needs at least "cluster" and "nodes"']],
  ['broken YAML', 'cluster: c\nnodes: [a, b\n', ['cluster.yml:2:8: /: this [ opens a list that is never closed with ]']],
  ['a route naming no receiver', 'cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [pager]}\n  receivers:\n    - {name: mail, email: {to: a@b.c, from: d@e.f, smarthost: "smtp:25"}}\n',
    ['cluster.yml:4:26: /alertmanager/critical/receivers/0: no receiver is named "pager" (there are: mail)']],
  ['a Telegram receiver (Alertmanager 0.25 takes its token only inline)', 'cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [tg]}\n  receivers:\n    - name: tg\n      telegram: {bot_token_file: /etc/prometheus/tg.token, chat_id: 42}\n',
    ['cluster.yml:7:7: /alertmanager/receivers/0/telegram: Alertmanager 0.25 (Debian 12) takes a Telegram bot token only written into its configuration (bot_token_file came in 0.26), and pi-textfile never writes a secret there; use webhook (through a relay), email or discord']],
  ['a receiver of two kinds, and one name twice', 'cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [x]}\n  receivers:\n    - {name: x, webhook: {url: "http://h/"}, discord: {webhook_url_file: /d}}\n    - {name: x, webhook: {url: "http://h/"}}\n', [
    'cluster.yml:6:7: /alertmanager/receivers/0: has webhook and discord; give each receiver exactly one kind (make two receivers)',
    'cluster.yml:7:14: /alertmanager/receivers/1/name: "x" is the name of /alertmanager/receivers/0 too; names must be unique']],
  ['a secret written inline', 'cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [m]}\n  receivers:\n    - name: m\n      email: {to: a@b.c, from: d@e.f, smarthost: "smtp:25", username: u, password: hunter2}\n',
    ['cluster.yml:7:14: /alertmanager/receivers/0/email: give username and password_file together, or neither',
      'cluster.yml:7:74: /alertmanager/receivers/0/email/password: unknown key "password": secrets are file references here, never written into the description; put it in a file only the service can read and give its path as password_file']],
  ["external labels: cluster is the top-level key, __ is reserved, $ is expanded by Prometheus 3", "cluster: c\nnodes: [a]\nexternal_labels: {cluster: x, __meta: y, site: \"a$b\"}\n",
    ["cluster.yml:3:19: /external_labels/cluster: the cluster label is set by the top-level \"cluster\" key; remove it here", "cluster.yml:3:31: /external_labels/__meta: \"__meta\": label names starting with __ are reserved by Prometheus", "cluster.yml:3:48: /external_labels/site: \"a$b\" contains $, which Prometheus 3 expands as an environment variable; remove it"]],
  ["node labels: __ is reserved, and job, instance and node_name are set for every target", "cluster: c\nnodes:\n  - {address: a, labels: {__x: \"1\", job: j, instance: i, node_name: n, rack: r}}\n",
    ["cluster.yml:3:27: /nodes/0/labels/__x: \"__x\": label names starting with __ are reserved by Prometheus", "cluster.yml:3:37: /nodes/0/labels/job: label \"job\" is set by pi-textfile or Prometheus; choose another name", "cluster.yml:3:45: /nodes/0/labels/instance: label \"instance\" is set by pi-textfile or Prometheus; choose another name", "cluster.yml:3:58: /nodes/0/labels/node_name: label \"node_name\" is set by pi-textfile or Prometheus; choose another name"]],
  ["remote_write: a name twice, and two ways to authenticate", "cluster: c\nnodes: [a]\nremote_write:\n  - {url: \"http://s:8428/api/v1/write\", name: vm}\n  - {url: \"http://t:8428/api/v1/write\", name: vm}\n  - {url: \"http://u:8428/api/v1/write\", basic_auth: {username: u, password_file: /p}, bearer_token_file: /t}\n",
    ["cluster.yml:5:47: /remote_write/1/name: \"vm\" is the name of /remote_write/0 too; names must be unique", "cluster.yml:6:5: /remote_write/2: has both basic_auth and bearer_token_file; Prometheus accepts only one way to authenticate"]],
  ["Alertmanager routes: an empty, a zero and a too long duration; a webhook with two ways to authenticate", "cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [w], group_wait: \"\", group_interval: 0s, repeat_interval: 300y}\n  warning: {receivers: [w], group_wait: 0ms}\n  receivers:\n    - {name: w, webhook: {url: \"http://h/\", bearer_token_file: /t, basic_auth: {username: u, password_file: /p}}}\n",
    ["cluster.yml:4:42: /alertmanager/critical/group_wait: is empty; write a duration like 5m", "cluster.yml:4:62: /alertmanager/critical/group_interval: \"0s\" must be longer than 0", "cluster.yml:4:83: /alertmanager/critical/repeat_interval: \"300y\" is longer than Prometheus accepts (about 292 years)", "cluster.yml:5:41: /alertmanager/warning/group_wait: \"0ms\" must be longer than 0", "cluster.yml:7:26: /alertmanager/receivers/0/webhook: has both bearer_token_file and basic_auth; Alertmanager accepts only one way to authenticate"]],
  ["a warning temperature equal to the critical one", "cluster: c\nnodes: [a]\nalerts: {temperature_warning_celsius: 80, temperature_critical_celsius: 80}\n",
    ["cluster.yml:3:39: /alerts/temperature_warning_celsius: the warning temperature (80) must be below the critical one (80)"]],
  ["a warning temperature above the default critical one", "cluster: c\nnodes: [a]\nalerts: {temperature_warning_celsius: 85}\n",
    ["cluster.yml:3:39: /alerts/temperature_warning_celsius: the warning temperature (85) must be below the critical one (80)"]],
  ["a critical temperature below the default warning one", "cluster: c\nnodes: [a]\nalerts: {temperature_critical_celsius: 60}\n",
    ["cluster.yml:3:40: /alerts/temperature_critical_celsius: the warning temperature (70) must be below the critical one (60)"]],
  ["global and alert durations: zero, empty, too long", "cluster: c\nscrape_interval: 0s\nscrape_timeout: \"\"\nevaluation_interval: 300y\nnodes: [a]\nalerts: {textfile_stale_after: \"\", node_silent_after: 300y}\n",
    ["cluster.yml:2:18: /scrape_interval: \"0s\" must be longer than 0", "cluster.yml:3:17: /scrape_timeout: is empty; write a duration like 30s", "cluster.yml:4:22: /evaluation_interval: \"300y\" is longer than Prometheus accepts (about 292 years)", "cluster.yml:6:32: /alerts/textfile_stale_after: is empty; write a duration like 5m", "cluster.yml:6:55: /alerts/node_silent_after: \"300y\" is longer than Prometheus accepts (about 292 years)"]],
  ["a scrape timeout above the interval", "cluster: c\nscrape_interval: 10s\nscrape_timeout: 15s\nnodes: [a]\n",
    ["cluster.yml:3:17: /scrape_timeout: \"15s\" is longer than scrape_interval (10s); Prometheus refuses a scrape timeout above the interval"]],
  ["a scrape timeout above the default interval", "cluster: c\nscrape_timeout: 31s\nnodes: [a]\n",
    ["cluster.yml:2:17: /scrape_timeout: \"31s\" is longer than scrape_interval (30s); Prometheus refuses a scrape timeout above the interval"]],
  ["remote_write URLs: ports at and past the limits, an IPv6 host, an empty port, a control character", "cluster: c\nnodes: [a]\nremote_write:\n  - {url: \"http://s:0/api/v1/write\", name: a}\n  - {url: \"http://s:1/api/v1/write\", name: b}\n  - {url: \"http://s:65535/api/v1/write\", name: c}\n  - {url: \"http://s:65536/api/v1/write\", name: d}\n  - {url: \"http://[::1]:8428/api/v1/write\", name: e}\n  - {url: \"http://s:/api/v1/write\", name: f}\n  - {url: \"http://s\\u0001t/api/v1/write\", name: g}\n",
    ["cluster.yml:4:11: /remote_write/0/url: \"http://s:0/api/v1/write\" has a port outside 1-65535", "cluster.yml:7:11: /remote_write/3/url: \"http://s:65536/api/v1/write\" has a port outside 1-65535", "cluster.yml:10:11: /remote_write/6/url: \"http://s\\u0001t/api/v1/write\" contains a control character"]],
  ["a URL that is not http at its start, though http:// is inside it", "cluster: c\nnodes: [a]\nremote_write: [{url: \"ftp://x/http://y:99999/\"}]\n",
    ["cluster.yml:3:22: /remote_write/0/url: \"ftp://x/http://y:99999/\" must be an http:// or https:// URL"]],
  ["node ports at and past the limits, and the same node twice in other cases and with its default port written", "cluster: c\nnode_exporter: {port: 9200}\nnodes: [\"a:0\", \"b:1\", \"c:65535\", \"d:65536\", \"E.local\", \"e.LOCAL:9200\"]\n",
    ["cluster.yml:3:9: /nodes/0: \"a:0\" has a port outside 1-65535", "cluster.yml:3:34: /nodes/3: \"d:65536\" has a port outside 1-65535", "cluster.yml:3:56: /nodes/5: \"e.LOCAL:9200\" is the address of /nodes/4 too; each node must have its own address"]],
  ["the addresses of Alertmanagers, Prometheus and the alertmanager section: ports past the limits", "cluster: c\nnodes: [a]\nprometheus: {address: \"p:70000\"}\nalerting: {alertmanagers: [\"am:0\", \"am2:9093\"]}\nalertmanager:\n  address: \"x:65536\"\n  critical: {receivers: [w]}\n  receivers: [{name: w, webhook: {url: \"http://h/\"}}]\n",
    ["cluster.yml:3:23: /prometheus/address: \"p:70000\" has a port outside 1-65535", "cluster.yml:4:28: /alerting/alertmanagers/0: \"am:0\" has a port outside 1-65535", "cluster.yml:6:12: /alertmanager/address: \"x:65536\" has a port outside 1-65535"]],
  ["each alert duration empty", "cluster: c\nnodes: [a]\nalerts: {textfile_stale_after: \"\", under_voltage_keep_firing_for: \"\", node_silent_after: \"\", nodes_remembered_for: \"\"}\n",
    ["cluster.yml:3:32: /alerts/textfile_stale_after: is empty; write a duration like 5m", "cluster.yml:3:67: /alerts/under_voltage_keep_firing_for: is empty; write a duration like 5m", "cluster.yml:3:90: /alerts/node_silent_after: is empty; write a duration like 5m", "cluster.yml:3:116: /alerts/nodes_remembered_for: is empty; write a duration like 5m"]],
  ["a $ in the cluster name", "cluster: \"a$b\"\nnodes: [a]\n",
    ["cluster.yml:1:10: /cluster: \"a$b\" contains $, which Prometheus 3 expands as an environment variable; remove it"]],
  ["a zero scrape interval with a timeout: one problem, not two", "cluster: c\nscrape_interval: 0s\nscrape_timeout: 5s\nnodes: [a]\n",
    ["cluster.yml:2:18: /scrape_interval: \"0s\" must be longer than 0"]],
  ["shards with an empty remote_write, and shards given as text", "cluster: c\nshards: 2\nremote_write: []\nnodes: [a]\n",
    ["cluster.yml:2:9: /shards: 2 shards need remote_write: each writes its share to the central store, where the whole fleet is seen; add remote_write with the store's URL"]],
  ["shards given as text", "cluster: c\nshards: \"2\"\nnodes: [a]\n",
    ["cluster.yml:2:9: /shards: \"2\" must be a whole number"]],
  ["agents without remote_write: the mode where it is set, top-level or per node", "cluster: c\nmode: agent\nnodes: [a, {address: b, mode: agent}, {address: c, mode: server}]\n",
    ["cluster.yml:2:7: /mode: agent mode pushes each node's series to remote_write, the central store; add remote_write with the store's URL"]],
  ["agents, and a store whose query API cannot be told from its URL", "cluster: c\nnodes: [{address: a, mode: agent}]\nremote_write: [{url: \"http://store:8428/insert\"}]\n",
    ["cluster.yml:3:22: /remote_write/0/url: \"http://store:8428/insert\" does not end in /api/v1/write, so the store's query API cannot be told from it; give it as central.query_url (vmalert evaluates the fleet's rules there)"]],
  ["the labels shards and agents set, as external labels", "cluster: c\nnodes: [a]\nexternal_labels: {node_name: x, scraped_by: y, shard: z}\n",
    ["cluster.yml:3:19: /external_labels/node_name: \"node_name\" is set by pi-textfile on the series of shards and agents; choose another name", "cluster.yml:3:33: /external_labels/scraped_by: \"scraped_by\" is set by pi-textfile on the series of shards and agents; choose another name", "cluster.yml:3:48: /external_labels/shard: \"shard\" is set by pi-textfile on the series of shards and agents; choose another name"]],
  ["an exclude that is a list with a $ in it", "cluster: c\nnodes: [a]\nnode_exporter: {exclude: {network_devices: [\"$HOME\"]}}\n",
    ["cluster.yml:3:26: /node_exporter/exclude: must be equal to constant", "cluster.yml:3:26: /node_exporter/exclude: must match exactly one schema in oneOf", "cluster.yml:3:44: /node_exporter/exclude/network_devices: [\"$HOME\"] must be a string (text)"]],
  ["an agent node whose name cannot be a file name", "cluster: c\nremote_write: [{url: \"http://s:8428/api/v1/write\"}]\nnodes: [{address: a, name: \"x/y\", mode: agent}]\n",
    ["cluster.yml:3:28: /nodes/0/name: \"x/y\" runs as an agent, whose configuration is agents/NAME.yml: give it a name of letters, digits, \".\", \"_\" and \"-\" (at most 128)"]],
  ["a scrape timeout equal to the interval is fine; one above it is not", "cluster: c\nscrape_interval: 10s\nscrape_timeout: 11s\nevaluation_interval: 10s\nnodes: [a]\n",
    ["cluster.yml:3:17: /scrape_timeout: \"11s\" is longer than scrape_interval (10s); Prometheus refuses a scrape timeout above the interval"]],
  ["sections of the wrong type: each said once, by the schema", "cluster: c\nscrape_interval: 5\nnodes: [a]\nprometheus: 5\nalerting: {alertmanagers: 5}\ncentral: 5\nnode_exporter: {port: \"x\"}\nalerts: 5\n",
    ["cluster.yml:2:18: /scrape_interval: 5 must be a string (text)", "cluster.yml:4:13: /prometheus: 5 must be a mapping (key: value lines)", "cluster.yml:5:27: /alerting/alertmanagers: 5 must be a list (lines starting with \"- \")", "cluster.yml:6:10: /central: 5 must be a mapping (key: value lines)", "cluster.yml:7:23: /node_exporter/port: \"x\" must be a whole number", "cluster.yml:8:9: /alerts: 5 must be a mapping (key: value lines)"]],
  ["remote_write entries and nodes of the wrong type", "cluster: c\nnodes: [{address: a, labels: 5}, {address: 5}, {name: 5, address: b}, 7]\nremote_write: [5, {url: 7, name: 8}]\n",
    ["cluster.yml:2:30: /nodes/0/labels: 5 must be a mapping (key: value lines)", "cluster.yml:2:44: /nodes/1/address: 5 must be a string (text)", "cluster.yml:2:55: /nodes/2/name: 5 must be a string (text)", "cluster.yml:2:71: /nodes/3: 7 must be a mapping (key: value lines)", "cluster.yml:3:16: /remote_write/0: 5 must be a mapping (key: value lines)", "cluster.yml:3:25: /remote_write/1/url: 7 must be a string (text)", "cluster.yml:3:34: /remote_write/1/name: 8 must be a string (text)"]],
  ["an agent node without an address", "cluster: c\nmode: agent\nremote_write: [{url: \"http://s:8428/api/v1/write\"}]\nnodes: [{labels: {}}]\n",
    ["cluster.yml:4:9: /nodes/0: missing required key \"address\""]],
  ["a key with - for _: did you mean", "cluster: c\nscrape-interval: 30s\nnodes: [a]\n",
    ["cluster.yml:2:1: /scrape-interval: unknown key \"scrape-interval\"; did you mean \"scrape_interval\"?"]],
  ["a misspelt required key: the cause, with the key it was meant to be, and not its consequence", "cluster: c\nnodes: [a]\nalertmanager:\n  critical: {reciever: [x]}\n  receivers: [{name: x, webhook: {url: \"http://h/\"}}]\n",
    ["cluster.yml:4:14: /alertmanager/critical/reciever: unknown key \"reciever\"; did you mean \"receivers\"?"]],
  ["node for nodes: the key that starts alike is meant", "cluster: c\nnode: [a]\n",
    ["cluster.yml:2:1: /node: unknown key \"node\"; did you mean \"nodes\"?"]],
  ["a misspelt key in a node", "cluster: c\nnodes: [{address: a, lables: {x: y}}]\n",
    ["cluster.yml:2:22: /nodes/0/lables: unknown key \"lables\"; did you mean \"labels\"?"]],
  ["an inline password: the secrets rule", "cluster: c\nnodes: [a]\nremote_write: [{url: \"http://s/api/v1/write\", basic_auth: {username: u, password: p}}]\n",
    ["cluster.yml:3:59: /remote_write/0/basic_auth: missing required key \"password_file\"", "cluster.yml:3:73: /remote_write/0/basic_auth/password: unknown key \"password\": secrets are file references here, never written into the description; put it in a file only the service can read and give its path as password_file"]],
  ["an inline bearer token in a webhook: the secrets rule", "cluster: c\nnodes: [a]\nalertmanager:\n  critical: {receivers: [x]}\n  receivers: [{name: x, webhook: {url: \"http://h/\", bearer_token: t}}]\n",
    ["cluster.yml:5:53: /alertmanager/receivers/0/webhook/bearer_token: unknown key \"bearer_token\": secrets are file references here, never written into the description; put it in a file only the service can read and give its path as bearer_token_file"]],
  ["a key far from every known one", "cluster: c\nnodes: [a]\nfoo: 1\n",
    ["cluster.yml:3:1: /foo: unknown key \"foo\"; check its spelling and indentation"]],
  ["a port that is not a number", "cluster: c\nnodes: [\"pi-b.local:9l00\"]\n",
    ["cluster.yml:2:9: /nodes/0: \"pi-b.local:9l00\": the port \"9l00\" is not a number; write host or host:port"]],
  ["an IPv6 address left unquoted", "cluster: c\nnodes:\n  - [fe80::1]:9100\n",
    ["cluster.yml:3:14: /: invalid YAML: Unexpected scalar at node end; an IPv6 address in brackets must be quoted in YAML: \"[fe80::1]:9100\""]],
  ["a duplicate key: named", "cluster: c\ncluster: d\nnodes: [a]\n",
    ["cluster.yml:2:1: /: \"cluster\" appears twice in the same mapping; keep one"]],
];

for (const [kind, yaml, expected] of MISTAKES) {
  test(`invalid description: ${kind}`, async () => {
    const r = await problems(yaml);
    assert.equal(r.code, 1);
    assert.deepEqual(r.lines, expected);
  });
}

test('every problem is reported at once', async () => {
  const r = await problems('cluster: "a$b"\nscrape_interval: 1.5m\nnodes:\n  - name: x\n    address: a:0\n  - name: x\n    address: b\n');
  assert.equal(r.code, 1);
  assert.equal(r.lines.length, 4, r.lines.join('\n'));
});

test('no input makes gen-config print a stack trace', async () => {
  const inputs = ['[1, 2]', '"just a string"', '42', 'cluster: {a: 1}\nnodes: {b: 2}', 'nodes:\n  - {address: [1]}\n  - null\n  - 7', '? [a]\n: b\n',
    'cluster: c\nnodes: [a]\nexternal_labels: [x]', '\t\tcluster: c', 'cluster: c\nnodes: [""]', 'cluster: c\nnodes: ["[::1]:9100", "[::1]"]\n'];
  for (const yaml of inputs) {
    const r = await problems(yaml);
    assert.equal(r.code, 1, yaml);
    assert.ok(r.lines.length > 0, yaml);
    for (const l of r.lines) assert.match(l, /^cluster.yml:\d+:\d+: \/\S*: \S/, l);
  }
});

test('exit 2: file missing, an output directory that cannot be created, a file gen-config did not write', async () => {
  const missing = await runMain(['gen-config', '--config', '/nonexistent/cluster.yml']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'pi-textfile: cannot read /nonexistent/cluster.yml: does not exist\n');
  const file = path.join(tempDir(), 'cluster.yml');
  fs.writeFileSync(file, VALID);
  const noDir = await runMain(['gen-config', '--config', file, '--out', path.join(file, 'out')]);
  assert.equal(noDir.code, 2);
  assert.equal(noDir.stderr, `pi-textfile: cannot create --out ${path.join(file, 'out')}: is not a directory\n`);
  const out = tempDir();
  fs.writeFileSync(path.join(out, 'prometheus.yml'), 'global: {}\n# hand-written\n');
  const refused = await runMain(['gen-config', '--config', file, '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /not overwriting .*prometheus\.yml: not generated by pi-textfile .* pass --force/);
  assert.equal(fs.readFileSync(path.join(out, 'prometheus.yml'), 'utf8'), 'global: {}\n# hand-written\n');
  assert.ok(!fs.existsSync(path.join(out, 'pi-textfile.rules.yml')), 'nothing written when refusing');
  const forced = await runMain(['gen-config', '--config', file, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  const regenerated = await runMain(['gen-config', '--config', file, '--out', out]);
  assert.equal(regenerated.code, 0, 'generated files are overwritten without --force');
  // A large fleet's prometheus.yml is several MiB: its header is still recognised.
  const generated = fs.readFileSync(path.join(out, 'prometheus.yml'), 'utf8');
  fs.writeFileSync(path.join(out, 'prometheus.yml'), generated + '# padding\n'.repeat(300_000));
  const large = await runMain(['gen-config', '--config', file, '--out', out]);
  assert.equal(large.code, 0, large.stderr);
  assert.equal(fs.readFileSync(path.join(out, 'prometheus.yml'), 'utf8'), generated);
});

test('--format github and json: each problem as an annotation or an object, on stdout; the same exit codes', async () => {
  const dir = tempDir('pi-textfile-format-');
  const bad = path.join(dir, 'cluster.yml');
  fs.writeFileSync(bad, 'cluster: c\nnodes:\n  - bad address!\n  - "kube-2.local:99999"\n');
  const github = await runMain(['gen-config', '--check', '--format', 'github', '--config', bad]);
  assert.equal(github.code, 1);
  assert.equal(github.stderr, '');
  assert.equal(
    github.stdout,
    `::error file=${bad},line=3,col=5,title=pi-textfile gen-config%3A /nodes/0::"bad address!" is not an address: write host or host:port, without http:// or a path\n` +
      `::error file=${bad},line=4,col=5,title=pi-textfile gen-config%3A /nodes/1::"kube-2.local:99999" has a port outside 1-65535\n`,
  );
  const json = await runMain(['gen-config', '--check', '--format', 'json', '--config', bad]);
  assert.equal(json.code, 1);
  assert.deepEqual(json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), [
    { file: bad, line: 3, column: 5, pointer: '/nodes/0', message: '"bad address!" is not an address: write host or host:port, without http:// or a path' },
    { file: bad, line: 4, column: 5, pointer: '/nodes/1', message: '"kube-2.local:99999" has a port outside 1-65535' },
  ]);
  const good = path.join(dir, 'good.yml');
  fs.writeFileSync(good, 'cluster: c\nnodes: [pi1.local]\n');
  for (const format of ['github', 'json']) {
    const r = await runMain(['gen-config', '--check', '--format', format, '--config', good]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], format);
  }
  const unknown = await runMain(['gen-config', '--check', '--format', 'xml', '--config', good]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'pi-textfile: --format "xml": choose text, github or json\n');
});

test('--format github escapes what workflow commands would misread: newlines, %, and : and , in properties', async () => {
  const dir = tempDir('pi-textfile-format-');
  const bad = path.join(dir, 'a,b:c.yml');
  fs.writeFileSync(bad, 'cluster: c\nnodes:\n  - {address: a.local, name: "x\\n100%"}\n  - {address: b.local, name: "x\\n100%"}\n');
  const r = await runMain(['gen-config', '--check', '--format', 'github', '--config', bad]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1);
  assert.match(r.stdout, /^::error file=.*a%2Cb%3Ac\.yml,line=4,col=\d+,title=pi-textfile gen-config%3A \/nodes\/1\/name::node name "x%0A100%25" is used by \/nodes\/0 too/);
});

table('gen-config --check: what shards, agents, discovery and the excludes need', [
  {
    source: 'shards without a store',
    yaml: 'cluster: c\nshards: 2\nnodes: [a.local]\n',
    lines: ["cluster.yml:2:9: /shards: 2 shards need remote_write: each writes its share to the central store, where the whole fleet is seen; add remote_write with the store's URL"],
  },
  {
    source: 'an agent without a store',
    yaml: 'cluster: c\nnodes:\n  - {address: a.local, mode: agent}\n',
    lines: ["cluster.yml:3:30: /nodes/0/mode: agent mode pushes each node's series to remote_write, the central store; add remote_write with the store's URL"],
  },
  {
    source: "an agent whose name cannot be a file's",
    yaml: 'cluster: c\nmode: agent\nremote_write: [{url: "http://s:8428/api/v1/write"}]\nnodes:\n  - {name: "../x", address: a.local}\n',
    lines: ['cluster.yml:5:12: /nodes/0/name: "../x" runs as an agent, whose configuration is agents/NAME.yml: give it a name of letters, digits, ".", "_" and "-" (at most 128)'],
  },
  {
    source: "a store whose query API cannot be told from its write URL",
    yaml: 'cluster: c\nshards: 2\nremote_write: [{url: "http://s:8086/write"}]\nnodes: [a.local]\n',
    lines: ['cluster.yml:3:22: /remote_write/0/url: "http://s:8086/write" does not end in /api/v1/write, so the store\'s query API cannot be told from it; give it as central.query_url (vmalert evaluates the fleet\'s rules there)'],
  },
  {
    source: 'the same store, with central.query_url',
    yaml: 'cluster: c\nshards: 2\nremote_write: [{url: "http://s:8086/write"}]\ncentral: {query_url: "http://s:8428"}\nnodes: [a.local]\n',
    lines: [],
  },
  {
    source: 'an empty node list without discovery: file',
    yaml: 'cluster: c\nnodes: []\n',
    lines: ['cluster.yml:2:8: /nodes: needs at least one node'],
  },
  {
    source: 'an empty node list with discovery: file (gen-config refuses to write it without --force)',
    yaml: 'cluster: c\ndiscovery: file\nnodes: []\n',
    lines: [],
  },
  {
    source: 'an exclude the shell would expand, and one that is no regexp',
    yaml: 'cluster: c\nnode_exporter:\n  exclude: {network_devices: "^$(id)", disk_devices: "^(sd"}\nnodes: [a.local]\n',
    lines: [
      'cluster.yml:3:30: /node_exporter/exclude/network_devices: "^$(id)" has a $ before a name, brace or parenthesis, which the shell would expand in /etc/default/prometheus-node-exporter; use $ only at the end of a group',
      'cluster.yml:3:54: /node_exporter/exclude/disk_devices: "^(sd" is not a regular expression: /^(sd/: Unterminated group',
    ],
  },
  {
    source: 'labels pi-textfile sets on shards and agents',
    yaml: 'cluster: c\nexternal_labels: {shard: x}\nnodes: [a.local]\n',
    lines: ['cluster.yml:2:19: /external_labels/shard: "shard" is set by pi-textfile on the series of shards and agents; choose another name'],
  },
], async (row) => {
  const r = await problems(row.yaml);
  assert.deepEqual(r.lines.filter((l) => !/: valid \(/.test(l)), row.lines);
  assert.equal(r.code, row.lines.length === 0 ? 0 : 1);
});

test('the output table: every file of every fixture cluster has its row, which recognises it as generated', async () => {
  const seen = new Set<OutputFile>();
  for (const name of fs.readdirSync(CLUSTERS).filter((n) => fs.existsSync(path.join(CLUSTERS, n, 'cluster.yml'))).sort()) {
    for (const f of filesUnder(path.join(CLUSTERS, name, 'expected'))) {
      const row = rowOf(f);
      assert.ok(row !== undefined, `${name}/${f} has a row in OUTPUTS`);
      seen.add(row);
      const text = fs.readFileSync(path.join(CLUSTERS, name, 'expected', f), 'utf8');
      const recognised = { header: text.startsWith('# Generated by pi-textfile gen-config'), dashboard: text.includes('"description": "Generated by pi-textfile gen-config'), targets: Array.isArray(JSON.parse(text.startsWith('[') ? text : '0')) }[row.recognise];
      assert.ok(recognised, `${name}/${f} is recognised by its row (${row.recognise})`);
    }
  }
  assert.deepEqual(OUTPUTS.filter((row) => !seen.has(row)).map((row) => String(row.path)), [], 'every row is exercised by some fixture cluster');
  const paths = OUTPUTS.map((row) => String(row.path));
  assert.equal(new Set(paths).size, paths.length, 'one row per file');
});

test('the input types are derived from the schema: src/gen-config/input.ts is what scripts/schema-types.mjs makes of it', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'schema-types.mjs'), ...(UPDATE ? [] : ['--check'])], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('--out that does not exist is created as mkdir -p would (mode from the umask), and said so; a dangling link there is refused in one line', async () => {
  const config = path.join(CLUSTERS, 'single-pi', 'cluster.yml');
  const base = tempDir('pi-textfile-out-');
  const out = path.join(base, 'a', 'b');
  const previous = process.umask(0o027);
  let r: Awaited<ReturnType<typeof runMain>>;
  try {
    r = await runMain(['gen-config', '--config', config, '--out', out]);
  } finally {
    process.umask(previous);
  }
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${out}: created\\n${out}: \\d+ files written`));
  for (const dir of [path.join(base, 'a'), out]) assert.equal(fs.statSync(dir).mode & 0o777, 0o750, dir);
  assert.deepEqual(filesUnder(out), filesUnder(path.join(CLUSTERS, 'single-pi', 'expected')));
  const again = await runMain(['gen-config', '--config', config, '--out', out]);
  assert.doesNotMatch(again.stdout, /created/, 'an existing --out is not created again');

  const link = path.join(base, 'dangling');
  fs.symlinkSync(path.join(base, 'missing'), link);
  const dangling = await runMain(['gen-config', '--config', config, '--out', link]);
  assert.equal(dangling.code, 2);
  assert.equal(dangling.stderr, `pi-textfile: --out ${link} is a symbolic link to ${JSON.stringify(path.join(base, 'missing'))}, which does not exist; create that directory, or pass another --out\n`);
  assert.ok(!fs.existsSync(path.join(base, 'missing')), 'nothing created through the link');
});
