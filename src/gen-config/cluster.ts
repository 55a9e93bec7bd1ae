/**
 * A cluster description as gen-config's renderers read it, and how a description becomes it:
 * every default filled in (DEFAULTS, normalise), names in camelCase, each address with its port.
 * input.ts is the shape of the description itself, derived from its schema; normalise is typed
 * against it. Adding a section: the schema, its part of Cluster and of normalise here, its
 * renderer with its rows, and one line in outputs.ts.
 */
import { splitHostPort, withDefaultPort } from '../lib/address';
import { parseDuration } from '../lib/duration';
import type { AlertRouteInput, ClusterInput, ReceiverInput, RemoteWriteInput } from './input';

export type Mode = 'server' | 'agent';

export interface Node_ {
  name: string;
  /** host:port, always with a port. */
  address: string;
  labels: Record<string, string>;
  /** server: scraped by Prometheus; agent: runs Prometheus in agent mode, pushing to the store. */
  mode: Mode;
}

/** Regexps of what node_exporter leaves out, each the value of its flags. */
export interface Excludes {
  networkDevices: string;
  diskDevices: string;
  mountPoints: string;
}

export interface RemoteWrite {
  url: string;
  name?: string;
  basicAuth?: { username: string; passwordFile: string };
  bearerTokenFile?: string;
}

/** A notification channel, each secret a file reference. */
export type Receiver =
  | { name: string; kind: 'webhook'; url: string; bearerTokenFile?: string; basicAuth?: { username: string; passwordFile: string } }
  | { name: string; kind: 'email'; to: string; from: string; smarthost: string; username?: string; passwordFile?: string; requireTls: boolean }
  | { name: string; kind: 'discord'; webhookUrlFile: string };

export interface AlertRoute {
  receivers: string[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export interface Alertmanager {
  /** host:port, always with a port. */
  address: string;
  critical: AlertRoute;
  warning: AlertRoute;
  receivers: Receiver[];
}

export interface Cluster {
  cluster: string;
  scrapeInterval: string;
  scrapeTimeout: string;
  evaluationInterval: string;
  externalLabels: Record<string, string>;
  prometheusAddress: string;
  nodeExporter: { port: number; textfileDirectory: string; exclude: Excludes | null };
  /** static: listed in prometheus.yml; file: in pi-textfile.targets.json (file_sd). */
  discovery: 'static' | 'file';
  /** Prometheus servers sharing the scraping by hashmod; 1 is a single server. */
  shards: number;
  nodes: Node_[];
  alertmanagers: string[];
  remoteWrite: RemoteWrite[];
  alerts: {
    temperatureWarningCelsius: number;
    temperatureCriticalCelsius: number;
    textfileStaleAfter: string;
    underVoltageKeepFiringFor: string;
    nodeSilentAfter: string;
    nodesRememberedFor: string;
  };
  /**
   * The central side, present with shards or agent nodes: vmalert evaluating, against the store,
   * the rules that need the whole fleet (and the agents' own rules, which no Prometheus evaluates).
   */
  central?: { queryUrl: string; evaluationInterval: string };
  alertmanager?: Alertmanager;
  /** Grafana provisioning; absent when the description turns it off. */
  grafana?: { prometheusUrl: string; dashboardsPath: string };
}

/** The store's query API from its remote_write URL: a Prometheus-style /api/v1/write, stripped. */
export function queryUrlOf(writeUrl: string): string | null {
  const m = /^(https?:\/\/[^/?#]+(?:\/[^?#]*?)?)\/api\/v1\/write\/?$/.exec(writeUrl);
  return m === null ? null : m[1]!;
}

/** A name that can be a file name as it is (an agent node's config is agents/NAME.yml). */
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A node's name when none is given: the host part of its address, IPv6 brackets removed. */
export function defaultNodeName(address: string): string {
  return splitHostPort(address).host.replace(/^\[|\]$/g, '');
}
/** The node's mode: its own, else the description's, else server. */
export function modeOf(data: Pick<ClusterInput, 'mode'>, n: unknown): Mode {
  if (n !== null && typeof n === 'object' && 'mode' in n && (n.mode === 'agent' || n.mode === 'server')) return n.mode;
  return data.mode === 'agent' ? 'agent' : 'server';
}

/** The nodes Prometheus scrapes (the others run as agents). */
export const serverNodes = (c: Cluster): Cluster['nodes'] => c.nodes.filter((n) => n.mode === 'server');

export const DEFAULTS = {
  scrapeInterval: '30s',
  scrapeTimeout: '10s',
  nodeExporterPort: 9100,
  textfileDirectory: '/var/lib/prometheus/node-exporter',
  prometheusAddress: 'localhost:9090',
  temperatureWarningCelsius: 70,
  temperatureCriticalCelsius: 80,
  textfileStaleAfter: '3m',
  underVoltageKeepFiringFor: '5m',
  nodeSilentAfter: '10m',
  nodesRememberedFor: '1d',
  alertmanagerAddress: 'localhost:9093',
  grafanaDashboardsPath: '/var/lib/grafana/dashboards/pi-textfile',
  critical: { groupWait: '10s', groupInterval: '1m', repeatInterval: '1h' },
  warning: { groupWait: '5m', groupInterval: '30m', repeatInterval: '12h' },
  /**
   * What node_exporter leaves out by default. Debian's node_exporter 1.5 leaves out only lo of
   * the interfaces, partitions of sd/hd/vd/xvd/nvme disks, and /dev, /proc, /run, /sys, /mnt,
   * /media and container storage of the mount points. Added here: the interfaces of containers
   * and overlay networks (veth, cni, flannel, docker and its br- bridges, calico, vxlan, tunl,
   * kube-ipvs, virbr, lxc), SD-card and eMMC partitions and zram, and the kubelet's and k3s's
   * mounts. No backslash and no $ before a name or brace: shell and systemd read each the same.
   */
  exclude: {
    networkDevices: '^(lo|veth.*|cni.*|flannel.*|docker.*|br-.*|cali.*|vxlan.*|tunl.*|kube-ipvs.*|virbr.*|lxc.*)$',
    diskDevices: '^(ram|loop|fd|zram|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p|mmcblk[0-9]+p|mmcblk[0-9]+boot)[0-9]+$',
    mountPoints: '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/.+|var/lib/rancher/.+|snap/.+)($|/)',
  } satisfies Excludes,
};
type AlertmanagerInput = NonNullable<ClusterInput['alertmanager']>;
type ExcludeInput = Exclude<NonNullable<NonNullable<ClusterInput['node_exporter']>['exclude']>, false>;

const ms = (d: string): number => parseDuration(d) ?? NaN;

function normaliseRoute(r: AlertRouteInput | undefined, fallback: string[], d: { groupWait: string; groupInterval: string; repeatInterval: string }): AlertRoute {
  return {
    receivers: r?.receivers ?? fallback,
    groupWait: r?.group_wait ?? d.groupWait,
    groupInterval: r?.group_interval ?? d.groupInterval,
    repeatInterval: r?.repeat_interval ?? d.repeatInterval,
  };
}

/** The checks have made sure each receiver has exactly one kind, and that it is not telegram. */
function normaliseReceiver(r: ReceiverInput): Receiver {
  if (r.webhook) {
    const out: Receiver = { name: r.name, kind: 'webhook', url: r.webhook.url };
    if (r.webhook.bearer_token_file !== undefined) out.bearerTokenFile = r.webhook.bearer_token_file;
    if (r.webhook.basic_auth) out.basicAuth = { username: r.webhook.basic_auth.username, passwordFile: r.webhook.basic_auth.password_file };
    return out;
  }
  if (r.email) {
    const out: Receiver = { name: r.name, kind: 'email', to: r.email.to, from: r.email.from, smarthost: r.email.smarthost, requireTls: r.email.require_tls ?? true };
    if (r.email.username !== undefined) out.username = r.email.username;
    if (r.email.password_file !== undefined) out.passwordFile = r.email.password_file;
    return out;
  }
  return { name: r.name, kind: 'discord', webhookUrlFile: r.discord!.webhook_url_file };
}

function normaliseAlertmanager(am: AlertmanagerInput): Alertmanager {
  const critical = normaliseRoute(am.critical, [], DEFAULTS.critical);
  return {
    address: withDefaultPort(am.address ?? DEFAULTS.alertmanagerAddress, 9093),
    critical,
    warning: normaliseRoute(am.warning, critical.receivers, DEFAULTS.warning),
    receivers: am.receivers.map(normaliseReceiver),
  };
}

function normaliseRemoteWrite(rw: RemoteWriteInput): RemoteWrite {
  const out: RemoteWrite = { url: rw.url };
  if (rw.name !== undefined) out.name = rw.name;
  if (rw.basic_auth) out.basicAuth = { username: rw.basic_auth.username, passwordFile: rw.basic_auth.password_file };
  if (rw.bearer_token_file !== undefined) out.bearerTokenFile = rw.bearer_token_file;
  return out;
}

function excludesFrom(e: ExcludeInput): Partial<Excludes> {
  const out: Partial<Excludes> = {};
  if (e.network_devices !== undefined) out.networkDevices = e.network_devices;
  if (e.disk_devices !== undefined) out.diskDevices = e.disk_devices;
  if (e.mount_points !== undefined) out.mountPoints = e.mount_points;
  return out;
}

/** PURE: the Cluster of a description that passed the schema and every check. */
export function normalise(data: ClusterInput): Cluster {
  const port = data.node_exporter?.port ?? DEFAULTS.nodeExporterPort;
  const scrapeInterval = data.scrape_interval ?? DEFAULTS.scrapeInterval;
  const scrapeTimeout = data.scrape_timeout ?? (ms(scrapeInterval) < ms(DEFAULTS.scrapeTimeout) ? scrapeInterval : DEFAULTS.scrapeTimeout);
  const externalLabels: Record<string, string> = { cluster: data.cluster };
  const needsCentral = (data.shards ?? 1) > 1 || data.nodes.some((n) => modeOf(data, n) === 'agent');
  const central = needsCentral
    ? {
        queryUrl: data.central?.query_url ?? queryUrlOf(data.remote_write![0]!.url)!,
        evaluationInterval: data.central?.evaluation_interval ?? data.evaluation_interval ?? scrapeInterval,
      }
    : undefined;
  const labels = data.external_labels ?? {};
  for (const k of Object.keys(labels).sort()) externalLabels[k] = labels[k]!;
  const exclude = data.node_exporter?.exclude;
  return {
    cluster: data.cluster,
    scrapeInterval,
    scrapeTimeout,
    evaluationInterval: data.evaluation_interval ?? scrapeInterval,
    externalLabels,
    prometheusAddress: withDefaultPort(data.prometheus?.address ?? DEFAULTS.prometheusAddress, 9090),
    nodeExporter: {
      port,
      textfileDirectory: data.node_exporter?.textfile_directory ?? DEFAULTS.textfileDirectory,
      exclude: exclude === false ? null : { ...DEFAULTS.exclude, ...excludesFrom(exclude ?? {}) },
    },
    discovery: data.discovery ?? 'static',
    shards: data.shards ?? 1,
    nodes: data.nodes.map((n) => {
      const address = typeof n === 'string' ? n : n.address;
      const name = typeof n === 'object' && n.name !== undefined ? n.name : defaultNodeName(address);
      const labels: Record<string, string> = {};
      if (typeof n === 'object') for (const k of Object.keys(n.labels ?? {}).sort()) labels[k] = n.labels![k]!;
      return { name, address: withDefaultPort(address, port), labels, mode: modeOf(data, n) };
    }),
    alertmanagers: (data.alerting?.alertmanagers ?? (data.alertmanager ? [data.alertmanager.address ?? DEFAULTS.alertmanagerAddress] : [])).map((a) => withDefaultPort(a, 9093)),
    remoteWrite: (data.remote_write ?? []).map(normaliseRemoteWrite),
    alerts: {
      temperatureWarningCelsius: data.alerts?.temperature_warning_celsius ?? DEFAULTS.temperatureWarningCelsius,
      temperatureCriticalCelsius: data.alerts?.temperature_critical_celsius ?? DEFAULTS.temperatureCriticalCelsius,
      textfileStaleAfter: data.alerts?.textfile_stale_after ?? DEFAULTS.textfileStaleAfter,
      underVoltageKeepFiringFor: data.alerts?.under_voltage_keep_firing_for ?? DEFAULTS.underVoltageKeepFiringFor,
      nodeSilentAfter: data.alerts?.node_silent_after ?? DEFAULTS.nodeSilentAfter,
      nodesRememberedFor: data.alerts?.nodes_remembered_for ?? DEFAULTS.nodesRememberedFor,
    },
    ...(central === undefined ? {} : { central }),
    ...(data.alertmanager ? { alertmanager: normaliseAlertmanager(data.alertmanager) } : {}),
    ...(data.grafana?.enabled === false
      ? {}
      : {
          grafana: {
            // With a central store, Grafana queries the store, where the whole fleet is.
            prometheusUrl: data.grafana?.prometheus_url ?? central?.queryUrl ?? `http://${withDefaultPort(data.prometheus?.address ?? DEFAULTS.prometheusAddress, 9090)}`,
            dashboardsPath: data.grafana?.dashboards_path ?? DEFAULTS.grafanaDashboardsPath,
          },
        }),
  };
}
