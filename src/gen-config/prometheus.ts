/**
 * PURE renderers for the Prometheus server: prometheus.yml (or one per shard), the file_sd
 * targets file, and its ARGS where it writes to a store. Same input, same bytes. Output is for
 * Prometheus 2.42 (Debian bookworm) and loads in 3.x too: explicit host:port targets, no
 * api_version, no fields newer than 2.42, node_name set as a target label (so it is on every
 * series of the target, `up` included).
 */
import { portOf } from '../lib/address';
import { serverNodes, type Cluster } from './cluster';
import { RULES_FILE } from './rules';
import { header, remoteWriteConfigs, yaml, type OutputFile } from './toolbox';

/** The file_sd targets file, beside prometheus.yml. */
export const TARGETS_FILE = 'pi-textfile.targets.json';
export const PROMETHEUS_DEFAULTS_FILE = 'prometheus';

/**
 * prometheus.yml. `withRules: false` leaves out rule_files, for a prometheus.yml printed alone:
 * it must not load a rules file nobody wrote (promtool refuses that, Prometheus runs without rules).
 */
export function renderPrometheusConfig(c: Cluster, source: string, opts: { withRules: boolean; shard?: number } = { withRules: true }): string {
  const sharded = opts.shard !== undefined;
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: c.scrapeInterval,
      scrape_timeout: c.scrapeTimeout,
      evaluation_interval: c.evaluationInterval,
      external_labels: sharded ? { ...c.externalLabels, shard: String(opts.shard) } : c.externalLabels,
    },
  };
  if (opts.withRules) config.rule_files = [RULES_FILE];
  if (c.alertmanagers.length > 0) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: c.alertmanagers }] }] };
  }
  if (c.remoteWrite.length > 0) config.remote_write = remoteWriteConfigs(c);
  const nodeJob: Record<string, unknown> = { job_name: 'node' };
  if (c.discovery === 'file') {
    // Relative to this file: Prometheus rereads it when it changes, with no reload.
    nodeJob.file_sd_configs = [{ files: [TARGETS_FILE] }];
  } else {
    nodeJob.static_configs = serverNodes(c).map((n) => ({ targets: [n.address], labels: { node_name: n.name, ...n.labels } }));
  }
  if (sharded) {
    // Every shard sees every target and keeps its own share: hashmod of the address.
    nodeJob.relabel_configs = [
      { source_labels: ['__address__'], modulus: c.shards, target_label: '__tmp_shard', action: 'hashmod' },
      { source_labels: ['__tmp_shard'], regex: String(opts.shard), action: 'keep' },
    ];
  }
  // A shard scrapes itself where it runs; its series are told apart by the shard label.
  const self = sharded ? `localhost:${portOf(c.prometheusAddress)}` : c.prometheusAddress;
  config.scrape_configs = [{ job_name: 'prometheus', static_configs: [{ targets: [self] }] }, nodeJob];
  return header(source) + yaml(config);
}

/** The file_sd targets: the server-mode nodes, each with node_name and its labels. */
function renderTargets(c: Cluster): string {
  const groups = serverNodes(c).map((n) => ({ targets: [n.address], labels: { node_name: n.name, ...n.labels } }));
  return `${JSON.stringify(groups, null, 2)}\n`;
}

/** PURE: whether a targets file's text is one gen-config wrote (JSON has no comment to mark it). */
export function isGeneratedTargets(text: string): boolean {
  try {
    const data = JSON.parse(text) as unknown;
    return (
      Array.isArray(data) &&
      data.every((g) => typeof g === 'object' && g !== null && Array.isArray(g.targets) && typeof g.labels === 'object' && g.labels !== null && typeof g.labels.node_name === 'string')
    );
  } catch {
    return false;
  }
}

/** How many targets a targets file lists (0 when it is not one). */
export function targetCount(text: string): number {
  return isGeneratedTargets(text) ? (JSON.parse(text) as unknown[]).length : 0;
}

/** prometheus-shard-K.yml for each shard. */
function renderShards(c: Cluster, source: string): Array<[string, string]> {
  return Array.from({ length: c.shards }, (_, k) => [`prometheus-shard-${k}.yml`, renderPrometheusConfig(c, source, { withRules: true, shard: k })]);
}

/**
 * /etc/default/prometheus for the servers that write to the store: with the store down,
 * Prometheus 2.42 waits its default flush deadline (1 minute) for it when stopping, past the
 * 20 seconds Debian's unit allows before killing it. 15 s stops it in time.
 */
function renderPrometheusDefaults(source: string): string {
  return (
    header(source) +
    '# Arguments for prometheus (read by its systemd unit), as /etc/default/prometheus on the\n' +
    '# Prometheus servers (every shard) that write to the central store. With the store down,\n' +
    '# Prometheus waits --storage.remote.flush-deadline (1m by default) for it when it stops, past\n' +
    "# the 20 s Debian's unit allows; 15s lets it stop in time.\n" +
    'ARGS="--storage.remote.flush-deadline=15s"\n'
  );
}

/** Some Prometheus server writes to the store: a shard, or the single server if it scrapes a node. */
const serverWrites = (c: Cluster): boolean => c.remoteWrite.length > 0 && (c.shards > 1 || serverNodes(c).length > 0);

export const PROMETHEUS_FILES: readonly OutputFile[] = [
  { path: 'prometheus.yml', when: (c) => c.shards === 1, render: (c, source) => renderPrometheusConfig(c, source), recognise: 'header' },
  { path: /^prometheus-shard-\d+\.yml$/, when: (c) => c.shards > 1, render: renderShards, recognise: 'header', sweep: true },
  { path: TARGETS_FILE, when: (c) => c.discovery === 'file', render: renderTargets, recognise: 'targets' },
  { path: PROMETHEUS_DEFAULTS_FILE, when: serverWrites, render: (_c, source) => renderPrometheusDefaults(source), recognise: 'header' },
];
