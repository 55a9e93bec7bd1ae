/**
 * PURE renderers for fleets (shards, agents, the central side, target files), built on existing
 * engines only: Prometheus's file_sd, hashmod sharding and agent mode; a central store taking
 * remote_write (VictoriaMetrics in the tests, any receiver by URL); vmalert (Debian's
 * victoria-metrics) evaluating against that store the rules that need the whole fleet.
 *
 * Where each rule runs:
 * - the per-node rules (pi-textfile.rules.yml) on the Prometheus that scrapes the node: the single
 *   server, or each shard for its share;
 * - for agents, which evaluate nothing, the same rules on the central side, for their series only
 *   (scraped_by="agent");
 * - on the central side too, the rules only the whole fleet can answer: a node whose series
 *   stopped arriving (its agent, its shard or its network is gone), a shard that went silent.
 */
import { portOf } from '../lib/address';
import { parseDuration } from '../lib/duration';
import { systemdQuote } from '../lib/systemd-quote';
import { queryUrlOf, type Cluster } from './cluster';
import { PROMETHEUS_DEFAULTS_FILE } from './prometheus';
import { nodeRules } from './rules';
import { header, remoteWriteConfigs, yaml, type OutputFile, type Rule } from './toolbox';

const FLEET_RULES_FILE = 'pi-textfile.fleet.rules.yml';
const VMALERT_UNIT = 'pi-textfile-vmalert.service';
export const AGENTS_DIRECTORY = 'agents';

/** Where the generated vmalert unit expects the fleet rules on the store's machine. */
const VMALERT_RULES_PATH = `/etc/victoria-metrics/${FLEET_RULES_FILE}`;

/**
 * The agents' queues: a Pi sends a few hundred series every scrape. Two shards at most and
 * 500 samples per request keep memory small; backoff up to a minute while the store is away;
 * the WAL keeps what was not sent and fills the gap once it is back.
 */
const AGENT_QUEUE = { capacity: 2500, min_shards: 1, max_shards: 2, max_samples_per_send: 500, batch_send_deadline: '10s', min_backoff: '1s', max_backoff: '1m' };

/**
 * agents/NAME.yml for each agent node (its /etc/prometheus/prometheus.yml): scrape its own
 * node_exporter, keep the node's identity as external labels (and its address as instance, as a
 * server would have it), push to the store.
 */
function renderAgents(c: Cluster, source: string): Array<[string, string]> {
  return c.nodes
    .filter((n) => n.mode === 'agent')
    .map((n) => {
      const config = {
        global: {
          scrape_interval: c.scrapeInterval,
          scrape_timeout: c.scrapeTimeout,
          external_labels: { ...c.externalLabels, ...n.labels, node_name: n.name, scraped_by: 'agent' },
        },
        scrape_configs: [{ job_name: 'node', static_configs: [{ targets: [`localhost:${portOf(n.address)}`], labels: { instance: n.address } }] }],
        remote_write: remoteWriteConfigs(c, AGENT_QUEUE),
      };
      return [`${AGENTS_DIRECTORY}/${n.name}.yml`, header(source) + `# Prometheus in agent mode on ${n.name}, as its /etc/prometheus/prometheus.yml.\n` + yaml(config)];
    });
}

/** agents/prometheus: the agents' /etc/default/prometheus. */
function renderAgentDefaults(source: string): string {
  return (
    header(source) +
    '# Arguments for prometheus (read by its systemd unit), as /etc/default/prometheus on every\n' +
    '# agent node: agent mode (no queries, no rules; a write-ahead log that keeps what the store\n' +
    '# has not received, for a day at most), the web port on loopback only, and a stop that does\n' +
    "# not outwait Debian's 20 s for a store that is down.\n" +
    'ARGS="--enable-feature=agent --storage.agent.retention.max-time=1d --storage.remote.flush-deadline=15s --web.listen-address=127.0.0.1:9090"\n'
  );
}

/** The central side's rules: the fleet's, and the agents' per-node ones. */
function fleetRules(c: Cluster): Array<{ name: string; rules: Rule[] }> {
  const silent = c.alerts.nodeSilentAfter;
  const remembered = c.alerts.nodesRememberedFor;
  // Pending for half the silence again: after a store outage, the shards and agents send what
  // they kept; a node is not called silent before that has had time to arrive.
  const pending = `${Math.max(1, Math.round((parseDuration(silent) ?? 600_000) / 2000))}s`;
  const fleet: Rule[] = [
    {
      alert: 'PiNodeNotReporting',
      expr: `max by (node_name) (max_over_time(up{job="node"}[${remembered}])) unless max by (node_name) (max_over_time(up{job="node"}[${silent}]))`,
      for: pending,
      labels: { severity: 'critical' },
      annotations: {
        summary: '{{ $labels.node_name }} stopped reporting',
        description: `No series of {{ $labels.node_name }} has reached the central store for ${silent}: its agent or the Prometheus shard that scrapes it is stopped, or it is off the network. (The store forgets a node silent for more than ${remembered}.)`,
      },
    },
  ];
  if (c.shards > 1) {
    fleet.push({
      alert: 'PiShardNotReporting',
      expr: `max by (shard) (max_over_time(up{job="prometheus",shard!=""}[${remembered}])) unless max by (shard) (max_over_time(up{job="prometheus",shard!=""}[${silent}]))`,
      for: pending,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Prometheus shard {{ $labels.shard }} stopped reporting',
        description: `Prometheus shard {{ $labels.shard }} has written nothing to the central store for ${silent}: its nodes are not watched. Check that it runs (systemctl status prometheus) and reaches the store.`,
      },
    });
  }
  const groups = [{ name: 'pi-textfile-fleet', rules: fleet }];
  if (c.nodes.some((n) => n.mode === 'agent')) {
    // vmalert 1.79 (Debian 12) has no keep_firing_for: the agents' PiUnderVoltage resolves as
    // soon as the supply recovers.
    groups.push({ name: 'pi-textfile-agents', rules: nodeRules(c, 'scraped_by="agent"').map(({ keep_firing_for: _, ...r }) => r) });
  }
  return groups;
}

function renderFleetRules(c: Cluster, source: string): string {
  return header(source) + yaml({ groups: fleetRules(c) });
}

/**
 * pi-textfile-vmalert.service: vmalert from Debian's victoria-metrics, on the store's machine,
 * evaluating the fleet's rules against the store and notifying the Alertmanagers. It writes
 * nothing and listens on loopback only.
 */
function renderVmalertUnit(c: Cluster, source: string): string {
  const central = c.central!;
  const first = c.remoteWrite[0];
  const auth: string[] = [];
  // Derived from the first remote_write URL: the store asks for the same credentials.
  if (first !== undefined && central.queryUrl === queryUrlOf(first.url)) {
    if (first.basicAuth) auth.push(`-datasource.basicAuth.username=${first.basicAuth.username}`, `-datasource.basicAuth.passwordFile=${first.basicAuth.passwordFile}`);
    if (first.bearerTokenFile !== undefined) auth.push(`-datasource.bearerTokenFile=${first.bearerTokenFile}`);
  }
  const args = [
    `-rule=${VMALERT_RULES_PATH}`,
    `-datasource.url=${central.queryUrl}`,
    ...auth,
    ...c.alertmanagers.map((a) => `-notifier.url=http://${a}`),
    `-evaluationInterval=${central.evaluationInterval}`,
    '-httpListenAddr=127.0.0.1:8880',
    ...Object.entries(c.externalLabels).map(([k, v]) => `-external.label=${k}=${v}`),
  ];
  return (
    header(source) +
    '# vmalert (Debian package victoria-metrics) on the central store\'s machine: the rules that need\n' +
    `# the whole fleet, from ${VMALERT_RULES_PATH} (${FLEET_RULES_FILE}), evaluated\n` +
    '# against the store, their alerts sent to the Alertmanagers. Install as\n' +
    `# /etc/systemd/system/${VMALERT_UNIT}, then: systemctl enable --now ${VMALERT_UNIT}\n` +
    '\n' +
    '[Unit]\n' +
    'Description=vmalert: pi-textfile fleet alerts from the central store\n' +
    'After=network-online.target victoria-metrics.service\n' +
    'Wants=network-online.target\n' +
    '\n' +
    '[Service]\n' +
    `ExecStart=/usr/bin/vmalert ${args.map(systemdQuote).join(' ')}\n` +
    'Restart=on-failure\n' +
    'RestartSec=10s\n' +
    'DynamicUser=yes\n' +
    'NoNewPrivileges=yes\n' +
    'ProtectSystem=strict\n' +
    'ProtectHome=yes\n' +
    'PrivateTmp=yes\n' +
    'PrivateDevices=yes\n' +
    'ProtectKernelTunables=yes\n' +
    'ProtectKernelModules=yes\n' +
    'ProtectControlGroups=yes\n' +
    'ProtectKernelLogs=yes\n' +
    'ProtectClock=yes\n' +
    'ProtectHostname=yes\n' +
    'ProtectProc=invisible\n' +
    'RestrictNamespaces=yes\n' +
    'RestrictRealtime=yes\n' +
    'RestrictSUIDSGID=yes\n' +
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n' +
    'MemoryDenyWriteExecute=yes\n' +
    'LockPersonality=yes\n' +
    'CapabilityBoundingSet=\n' +
    'AmbientCapabilities=\n' +
    'UMask=0077\n' +
    'SystemCallArchitectures=native\n' +
    'SystemCallFilter=@system-service\n' +
    'SystemCallFilter=~@privileged\n' +
    'SystemCallErrorNumber=EPERM\n' +
    '\n' +
    '[Install]\n' +
    'WantedBy=multi-user.target\n'
  );
}

export const FLEET_FILES: readonly OutputFile[] = [
  { path: /^agents\/[^/]+\.yml$/, when: (c) => c.nodes.some((n) => n.mode === 'agent'), render: renderAgents, recognise: 'header', sweep: true },
  { path: `${AGENTS_DIRECTORY}/${PROMETHEUS_DEFAULTS_FILE}`, when: (c) => c.nodes.some((n) => n.mode === 'agent'), render: (_c, source) => renderAgentDefaults(source), recognise: 'header' },
  { path: FLEET_RULES_FILE, when: (c) => c.central !== undefined, render: renderFleetRules, recognise: 'header' },
  { path: VMALERT_UNIT, when: (c) => c.central !== undefined && c.alertmanagers.length > 0, render: renderVmalertUnit, recognise: 'header' },
];
