/**
 * Loading a cluster description: YAML that must be plain data, validated against
 * schemas/cluster.schema.json (compiled to a standalone validator at build time) and by the checks a
 * JSON Schema cannot express. Every problem is reported at once, with its line, column and JSON
 * pointer, in words a newcomer understands. Pure: text in, {ok, value} | {ok: false, issues} out.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import { splitHostPort, withDefaultPort } from '../lib/address';
import { parseDuration } from '../lib/duration';
import generatedValidate from 'pi-textfile:validate-cluster';

export interface Issue {
  line: number;
  column: number;
  pointer: string;
  message: string;
}

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

export type LoadResult = { ok: true; value: Cluster } | { ok: false; issues: Issue[] };

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

/** The store's query API from its remote_write URL: a Prometheus-style /api/v1/write, stripped. */
export function queryUrlOf(writeUrl: string): string | null {
  const m = /^(https?:\/\/[^/?#]+(?:\/[^?#]*?)?)\/api\/v1\/write\/?$/.exec(writeUrl);
  return m === null ? null : m[1]!;
}

/** A name that can be a file name as it is (an agent node's config is agents/NAME.yml). */
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Receiver kinds the schema knows; the first three are written, telegram is refused (see below). */
const RECEIVER_KINDS = ['webhook', 'email', 'discord', 'telegram'] as const;

/** Labels pi-textfile sets itself, or that Prometheus reserves. */
const RESERVED_TARGET_LABELS = new Set(['node_name', 'job', 'instance']);

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  propertyName?: string;
  message?: string;
}

/** The standalone validator: returns validity and leaves its errors on itself, as ajv does. */
const validate = generatedValidate as unknown as ((data: unknown) => boolean) & { errors?: AjvError[] | null };

type Locator = (pointer: string, key?: string) => { line: number; column: number };

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

function positionOf(lines: LineCounter, offset: number): { line: number; column: number } {
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

function makeLocator(doc: Document, lines: LineCounter): Locator {
  const position = (offset: number) => positionOf(lines, offset);
  return (pointer, key) => {
    if (key !== undefined) pointer = pointer.slice(0, pointer.lastIndexOf('/'));
    let node: unknown = doc.contents;
    let last = node;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment)?.value;
      else if (isSeq(node)) node = node.items[Number(segment)];
      else node = undefined;
      if (node === undefined || node === null) break;
      last = node;
    }
    if (key !== undefined && isMap(last)) {
      const pair = last.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return position(range[0]);
    }
    const range = (last as Node | undefined)?.range;
    return range ? position(range[0]) : { line: 1, column: 1 };
  };
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const s of pointerSegments(pointer)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string (text)',
  object: 'a mapping (key: value lines)',
  array: 'a list (lines starting with "- ")',
  integer: 'a whole number',
  number: 'a number',
};

/** A value as a message shows it: JSON, cut at 60 characters so a huge value stays one readable line. */
function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Turns one ajv error into an Issue, or null for errors that repeat another one. */
function describe(e: AjvError, data: unknown, locate: Locator): Issue | null {
  const value = valueAt(data, e.instancePath);
  const at = (pointer: string, message: string, key?: string): Issue => ({ ...locate(pointer, key), pointer, message });
  const def = /#\/definitions\/(\w+)\//.exec(e.schemaPath)?.[1];
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return null;
    case 'required':
      return at(e.instancePath, `missing required key "${String(e.params.missingProperty)}"`);
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      return at(`${e.instancePath}/${escapePointer(key)}`, `unknown key "${key}"; check its spelling and indentation`, key);
    }
    case 'type':
      return at(e.instancePath, `${show(value)} must be ${TYPE_WORDS[String(e.params.type)] ?? String(e.params.type)}`);
    case 'pattern': {
      if (e.propertyName !== undefined) {
        const key = e.propertyName;
        return at(`${e.instancePath}/${escapePointer(key)}`, `"${key}" is not a valid label name: use letters, digits and _, not starting with a digit`, key);
      }
      if (def === 'duration' || /scrape_|_interval|stale_after/.test(e.instancePath)) {
        return at(e.instancePath, `${show(value)} is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first, like 30s or 1m30s`);
      }
      if (def === 'address') return at(e.instancePath, `${show(value)} is not an address: write host or host:port, without http:// or a path`);
      if (def === 'remoteWrite') return at(e.instancePath, `${show(value)} must be an http:// or https:// URL`);
      if (e.instancePath.endsWith('/textfile_directory')) {
        return at(e.instancePath, `${show(value)} must be an absolute path without spaces, quotes, $, \` or backslashes (it goes into node_exporter's ARGS line)`);
      }
      return at(e.instancePath, `${show(value)} has the wrong form`);
    }
    case 'minimum':
    case 'maximum':
      if (def === 'port') return at(e.instancePath, `${show(value)} is outside 1-65535`);
      return at(e.instancePath, `${show(value)} is ${e.keyword === 'minimum' ? 'below' : 'above'} ${String(e.params.limit)}`);
    case 'minItems':
      return at(e.instancePath, e.instancePath === '/nodes' ? 'needs at least one node' : 'must not be empty');
    case 'minLength':
      return at(e.instancePath, 'must not be empty');
    case 'maxLength':
      return at(e.instancePath, `is longer than ${String(e.params.limit)} characters`);
    default:
      return at(e.instancePath, e.message ?? `fails the ${e.keyword} check`);
  }
}

/** A node's name when none is given: the host part of its address, IPv6 brackets removed. */
export function defaultNodeName(address: string): string {
  return splitHostPort(address).host.replace(/^\[|\]$/g, '');
}

const DURATION_SYNTAX = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/**
 * PURE: why Prometheus (Go's net/url) would refuse a remote_write URL the schema let through, or
 * why pi-textfile does; null if it is fine. Credentials in the URL are refused: they would sit in a
 * world-readable prometheus.yml, and basic_auth with password_file keeps them in a file of their own.
 */
export function remoteWriteUrlProblem(url: string): string | null {
  if (!/^https?:\/\//.test(url)) return null; // the schema says what is wrong with that
  const shown = show(url);
  if (/[\x00-\x1f\x7f]/.test(url)) return `${shown} contains a control character`;
  const authority = /^https?:\/\/([^/?#]*)/.exec(url)?.[1] ?? '';
  if (authority.includes('@')) return `${shown} has a user name or password in it; remove them and use basic_auth with password_file (or bearer_token_file)`;
  if (/%(?![0-9A-Fa-f]{2})/.test(url)) return `${shown} has a % that does not start an escape like %2F; write %25 for a % itself`;
  const host = /^(\[[0-9A-Fa-f:.]+\]|[^[\]:]+)(?::(\d*))?$/.exec(authority);
  if (host === null) {
    return /[[\]]/.test(authority) ? `${shown}: an IPv6 host goes in one pair of brackets, [addr]:port` : `${shown} has a port that is not a number`;
  }
  if (host[2] !== undefined && host[2] !== '' && (Number(host[2]) < 1 || Number(host[2]) > 65535)) return `${shown} has a port outside 1-65535`;
  return null;
}

function ms(d: string): number {
  return parseDuration(d) ?? NaN;
}

const str = (v: unknown): v is string => typeof v === 'string';
const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A /nodes entry (shorthand or mapping): its address, undefined where it has none. */
const addressOf = (n: unknown): string | undefined => (str(n) ? n : obj(n) && str(n.address) ? n.address : undefined);
/** Where a /nodes entry's address is written. */
const addressPointer = (n: unknown, i: number): string => (str(n) ? `/nodes/${i}` : `/nodes/${i}/address`);
/** A /nodes entry's name (by default its address's host) and where it comes from. */
function nameOf(n: unknown, i: number): { name: string; pointer: string } | undefined {
  if (obj(n) && str(n.name)) return { name: n.name, pointer: `/nodes/${i}/name` };
  const address = addressOf(n);
  return address === undefined ? undefined : { name: defaultNodeName(address), pointer: addressPointer(n, i) };
}

/** Checks a JSON Schema cannot express. Runs on whatever parts are well-formed. */
function semanticChecks(data: Record<string, unknown>, locate: Locator): Issue[] {
  const issues: Issue[] = [];
  const at = (pointer: string, message: string, key?: string) => issues.push({ ...locate(pointer, key), pointer, message });

  const checkAddress = (pointer: string, v: unknown) => {
    if (!str(v)) return;
    const { port } = splitHostPort(v);
    if (port !== undefined && (port < 1 || port > 65535)) at(pointer, `"${v}" has a port outside 1-65535`);
  };
  const tooLong = (pointer: string, v: unknown) => {
    // The schema accepts the syntax; a valid syntax that parseDuration refuses is past Prometheus's limit.
    if (str(v) && v !== '' && DURATION_SYNTAX.test(v) && parseDuration(v) === null) at(pointer, `"${v}" is longer than Prometheus accepts (about 292 years)`);
  };
  for (const key of ['scrape_interval', 'scrape_timeout', 'evaluation_interval']) {
    const v = data[key];
    if (str(v) && v !== '' && ms(v) === 0) at(`/${key}`, `"${v}" must be longer than 0`);
    if (v === '') at(`/${key}`, 'is empty; write a duration like 30s');
    tooLong(`/${key}`, v);
  }
  for (const key of ['textfile_stale_after', 'under_voltage_keep_firing_for', 'node_silent_after', 'nodes_remembered_for']) {
    if (!obj(data.alerts)) break;
    if (data.alerts[key] === '') at(`/alerts/${key}`, 'is empty; write a duration like 5m');
    tooLong(`/alerts/${key}`, data.alerts[key]);
  }
  if (obj(data.alertmanager)) alertmanagerChecks(data.alertmanager, at, tooLong, checkAddress);

  const interval = str(data.scrape_interval) && ms(data.scrape_interval) > 0 ? ms(data.scrape_interval) : ms(DEFAULTS.scrapeInterval);
  if (str(data.scrape_timeout) && ms(data.scrape_timeout) > interval) {
    at('/scrape_timeout', `"${data.scrape_timeout}" is longer than scrape_interval (${str(data.scrape_interval) ? data.scrape_interval : DEFAULTS.scrapeInterval}); Prometheus refuses a scrape timeout above the interval`);
  }

  const noDollar = (pointer: string, v: unknown) => {
    if (str(v) && v.includes('$')) at(pointer, `"${v}" contains $, which Prometheus 3 expands as an environment variable; remove it`);
  };
  noDollar('/cluster', data.cluster);
  if (obj(data.external_labels)) {
    for (const [k, v] of Object.entries(data.external_labels)) {
      const p = `/external_labels/${escapePointer(k)}`;
      if (k === 'cluster') at(p, 'the cluster label is set by the top-level "cluster" key; remove it here', k);
      else if (k.startsWith('__')) at(p, `"${k}": label names starting with __ are reserved by Prometheus`, k);
      noDollar(p, v);
    }
  }

  const port = obj(data.node_exporter) && typeof data.node_exporter.port === 'number' ? data.node_exporter.port : DEFAULTS.nodeExporterPort;
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  if (Array.isArray(data.nodes)) {
    data.nodes.forEach((n: unknown, i: number) => {
      const address = addressOf(n);
      const addrPointer = addressPointer(n, i);
      checkAddress(addrPointer, address);
      if (address === undefined) return;
      const { host, port: p } = splitHostPort(address);
      const full = `${host.toLowerCase()}:${p ?? port}`;
      const seenAt = addresses.get(full);
      if (seenAt !== undefined) {
        // The same node twice: one message is enough (its default name repeats too).
        at(addrPointer, `"${address}" is the address of /nodes/${seenAt} too; each node must have its own address`);
        return;
      }
      addresses.set(full, i);
      const { name, pointer: namePointer } = nameOf(n, i)!;
      const nameAt = names.get(name);
      if (nameAt !== undefined) at(namePointer, `node name "${name}" is used by /nodes/${nameAt} too; give each node its own name`);
      else names.set(name, i);
      if (obj(n) && obj(n.labels)) {
        for (const k of Object.keys(n.labels)) {
          const p = `/nodes/${i}/labels/${escapePointer(k)}`;
          if (RESERVED_TARGET_LABELS.has(k)) at(p, `label "${k}" is set by pi-textfile or Prometheus; choose another name`, k);
          else if (k.startsWith('__')) at(p, `"${k}": label names starting with __ are reserved by Prometheus`, k);
        }
      }
    });
  }
  if (obj(data.alerting) && Array.isArray(data.alerting.alertmanagers)) {
    data.alerting.alertmanagers.forEach((a: unknown, i: number) => checkAddress(`/alerting/alertmanagers/${i}`, a));
  }
  if (obj(data.prometheus)) checkAddress('/prometheus/address', data.prometheus.address);
  if (Array.isArray(data.remote_write)) {
    const rwNames = new Map<string, number>();
    data.remote_write.forEach((rw: unknown, i: number) => {
      if (!obj(rw)) return;
      if (str(rw.url)) {
        const problem = remoteWriteUrlProblem(rw.url);
        if (problem !== null) at(`/remote_write/${i}/url`, problem);
      }
      if (rw.basic_auth !== undefined && rw.bearer_token_file !== undefined) {
        at(`/remote_write/${i}`, 'has both basic_auth and bearer_token_file; Prometheus accepts only one way to authenticate');
      }
      if (str(rw.name)) {
        const seen = rwNames.get(rw.name);
        if (seen !== undefined) at(`/remote_write/${i}/name`, `"${rw.name}" is the name of /remote_write/${seen} too; names must be unique`);
        else rwNames.set(rw.name, i);
      }
    });
  }
  fleetChecks(data, at);
  if (obj(data.alerts)) {
    const w = data.alerts.temperature_warning_celsius;
    const c = data.alerts.temperature_critical_celsius;
    const warn = typeof w === 'number' ? w : DEFAULTS.temperatureWarningCelsius;
    const crit = typeof c === 'number' ? c : DEFAULTS.temperatureCriticalCelsius;
    if (warn >= crit) {
      at(typeof w === 'number' ? '/alerts/temperature_warning_celsius' : '/alerts/temperature_critical_celsius',
        `the warning temperature (${warn}) must be below the critical one (${crit})`);
    }
  }
  return issues;
}

/** The node's mode: its own, else the description's, else server. */
function modeOf(data: Record<string, unknown>, n: unknown): Mode {
  return (obj(n) && (n.mode === 'agent' || n.mode === 'server') ? n.mode : data.mode === 'agent' ? 'agent' : 'server') as Mode;
}

/**
 * Shards, agents and their central side; discovery; node_exporter's excludes: what each needs of
 * the rest of the description.
 */
function fleetChecks(data: Record<string, unknown>, at: (pointer: string, message: string, key?: string) => void): void {
  const nodes = Array.isArray(data.nodes) ? data.nodes : [];
  if (Array.isArray(data.nodes) && nodes.length === 0 && data.discovery !== 'file') at('/nodes', 'needs at least one node');
  const hasRemoteWrite = Array.isArray(data.remote_write) && data.remote_write.length > 0;
  const shards = typeof data.shards === 'number' ? data.shards : 1;
  if (shards > 1 && !hasRemoteWrite) {
    at('/shards', `${shards} shards need remote_write: each writes its share to the central store, where the whole fleet is seen; add remote_write with the store's URL`);
  }
  const agents = nodes.map((n, i) => [n, i] as const).filter(([n]) => modeOf(data, n) === 'agent');
  if (agents.length > 0 && !hasRemoteWrite) {
    const [n, i] = agents[0]!;
    at(obj(n) && n.mode === 'agent' ? `/nodes/${i}/mode` : '/mode', "agent mode pushes each node's series to remote_write, the central store; add remote_write with the store's URL");
  }
  for (const [n, i] of agents) {
    const named = nameOf(n, i);
    if (named !== undefined && !FILE_NAME.test(named.name)) {
      at(named.pointer, `"${named.name}" runs as an agent, whose configuration is agents/NAME.yml: give it a name of letters, digits, ".", "_" and "-" (at most 128)`);
    }
  }
  const central = shards > 1 || agents.length > 0;
  const first = hasRemoteWrite ? (data.remote_write as unknown[])[0] : undefined;
  if (central && hasRemoteWrite && !(obj(data.central) && str(data.central.query_url)) && obj(first) && str(first.url) && queryUrlOf(first.url) === null) {
    at('/remote_write/0/url', `"${first.url}" does not end in /api/v1/write, so the store's query API cannot be told from it; give it as central.query_url (vmalert evaluates the fleet's rules there)`);
  }
  if (obj(data.external_labels)) {
    for (const k of ['shard', 'node_name', 'scraped_by']) {
      if (k in data.external_labels) at(`/external_labels/${k}`, `"${k}" is set by pi-textfile on the series of shards and agents; choose another name`, k);
    }
  }
  if (obj(data.node_exporter) && obj(data.node_exporter.exclude)) {
    for (const [key, v] of Object.entries(data.node_exporter.exclude)) {
      if (!str(v)) continue;
      const p = `/node_exporter/exclude/${key}`;
      if (/\$[A-Za-z_{(]/.test(v)) at(p, `"${v}" has a $ before a name, brace or parenthesis, which the shell would expand in /etc/default/prometheus-node-exporter; use $ only at the end of a group`);
      try {
        new RegExp(v);
      } catch (err) {
        at(p, `"${v}" is not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
    }
  }
}

/**
 * The alertmanager section: receivers named once and each of one kind, routes naming receivers
 * that exist, durations within Alertmanager's reach, and no kind Alertmanager 0.25 can only be
 * given a secret inline.
 */
function alertmanagerChecks(
  am: Record<string, unknown>,
  at: (pointer: string, message: string, key?: string) => void,
  tooLong: (pointer: string, v: unknown) => void,
  checkAddress: (pointer: string, v: unknown) => void,
): void {
  checkAddress('/alertmanager/address', am.address);
  const names = new Map<string, number>();
  if (Array.isArray(am.receivers)) {
    am.receivers.forEach((r: unknown, i: number) => {
      if (!obj(r)) return;
      const p = `/alertmanager/receivers/${i}`;
      if (typeof r.name === 'string') {
        const seen = names.get(r.name);
        if (seen !== undefined) at(`${p}/name`, `"${r.name}" is the name of /alertmanager/receivers/${seen} too; names must be unique`);
        else names.set(r.name, i);
      }
      const kinds = RECEIVER_KINDS.filter((k) => r[k] !== undefined);
      if (kinds.length !== 1) at(p, kinds.length === 0 ? `needs one of ${RECEIVER_KINDS.join(', ')}` : `has ${kinds.join(' and ')}; give each receiver exactly one kind (make two receivers)`);
      if (r.telegram !== undefined) {
        at(`${p}/telegram`, 'Alertmanager 0.25 (Debian 12) takes a Telegram bot token only written into its configuration (bot_token_file came in 0.26), and pi-textfile never writes a secret there; use webhook (through a relay), email or discord', 'telegram');
      }
      if (obj(r.email)) checkAddress(`${p}/email/smarthost`, r.email.smarthost);
      if (obj(r.email) && (r.email.username === undefined) !== (r.email.password_file === undefined)) {
        at(`${p}/email`, 'give username and password_file together, or neither');
      }
      if (obj(r.webhook) && r.webhook.bearer_token_file !== undefined && r.webhook.basic_auth !== undefined) {
        at(`${p}/webhook`, 'has both bearer_token_file and basic_auth; Alertmanager accepts only one way to authenticate');
      }
    });
  }
  for (const route of ['critical', 'warning']) {
    const r = am[route];
    if (!obj(r)) continue;
    if (Array.isArray(r.receivers)) {
      r.receivers.forEach((name: unknown, i: number) => {
        if (typeof name === 'string' && !names.has(name)) {
          at(`/alertmanager/${route}/receivers/${i}`, `no receiver is named "${name}"${names.size > 0 ? ` (there are: ${[...names.keys()].join(', ')})` : ''}`);
        }
      });
    }
    for (const key of ['group_wait', 'group_interval', 'repeat_interval']) {
      if (r[key] === '') at(`/alertmanager/${route}/${key}`, 'is empty; write a duration like 5m');
      else if (typeof r[key] === 'string' && ms(r[key] as string) === 0) at(`/alertmanager/${route}/${key}`, `"${r[key]}" must be longer than 0`);
      tooLong(`/alertmanager/${route}/${key}`, r[key]);
    }
  }
}

function normaliseAlertmanager(am: any): Alertmanager {
  const route = (r: any, fallback: string[], d: { groupWait: string; groupInterval: string; repeatInterval: string }): AlertRoute => ({
    receivers: r?.receivers ?? fallback,
    groupWait: r?.group_wait ?? d.groupWait,
    groupInterval: r?.group_interval ?? d.groupInterval,
    repeatInterval: r?.repeat_interval ?? d.repeatInterval,
  });
  const critical = route(am.critical, [], DEFAULTS.critical);
  return {
    address: withDefaultPort(am.address ?? DEFAULTS.alertmanagerAddress, 9093),
    critical,
    warning: route(am.warning, critical.receivers, DEFAULTS.warning),
    receivers: am.receivers.map((r: any): Receiver => {
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
      return { name: r.name, kind: 'discord', webhookUrlFile: r.discord.webhook_url_file };
    }),
  };
}

/** Builds the normalised Cluster from data that passed every check. */
function normalise(data: Record<string, any>): Cluster {
  const port: number = data.node_exporter?.port ?? DEFAULTS.nodeExporterPort;
  const scrapeInterval: string = data.scrape_interval ?? DEFAULTS.scrapeInterval;
  const scrapeTimeout: string =
    data.scrape_timeout ?? (ms(scrapeInterval) < ms(DEFAULTS.scrapeTimeout) ? scrapeInterval : DEFAULTS.scrapeTimeout);
  const externalLabels: Record<string, string> = { cluster: data.cluster };
  const needsCentral = (data.shards ?? 1) > 1 || data.nodes.some((n: unknown) => modeOf(data, n) === 'agent');
  const central = needsCentral
    ? {
        queryUrl: data.central?.query_url ?? queryUrlOf(data.remote_write[0].url)!,
        evaluationInterval: data.central?.evaluation_interval ?? data.evaluation_interval ?? scrapeInterval,
      }
    : undefined;
  for (const k of Object.keys(data.external_labels ?? {}).sort()) externalLabels[k] = data.external_labels[k];
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
      exclude: data.node_exporter?.exclude === false ? null : { ...DEFAULTS.exclude, ...excludesFrom(data.node_exporter?.exclude ?? {}) },
    },
    discovery: data.discovery ?? 'static',
    shards: data.shards ?? 1,
    nodes: data.nodes.map((n: string | { name?: string; address: string; labels?: Record<string, string> }) => {
      const address = typeof n === 'string' ? n : n.address;
      const name = typeof n === 'object' && n.name !== undefined ? n.name : defaultNodeName(address);
      const labels: Record<string, string> = {};
      if (typeof n === 'object') for (const k of Object.keys(n.labels ?? {}).sort()) labels[k] = n.labels![k]!;
      return { name, address: withDefaultPort(address, port), labels, mode: modeOf(data, n) };
    }),
    alertmanagers: (data.alerting?.alertmanagers ?? (data.alertmanager ? [data.alertmanager.address ?? DEFAULTS.alertmanagerAddress] : [])).map((a: string) => withDefaultPort(a, 9093)),
    remoteWrite: (data.remote_write ?? []).map((rw: any) => {
      const out: RemoteWrite = { url: rw.url };
      if (rw.name !== undefined) out.name = rw.name;
      if (rw.basic_auth) out.basicAuth = { username: rw.basic_auth.username, passwordFile: rw.basic_auth.password_file };
      if (rw.bearer_token_file !== undefined) out.bearerTokenFile = rw.bearer_token_file;
      return out;
    }),
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

function excludesFrom(e: { network_devices?: string; disk_devices?: string; mount_points?: string }): Partial<Excludes> {
  const out: Partial<Excludes> = {};
  if (e.network_devices !== undefined) out.networkDevices = e.network_devices;
  if (e.disk_devices !== undefined) out.diskDevices = e.disk_devices;
  if (e.mount_points !== undefined) out.mountPoints = e.mount_points;
  return out;
}

function sortIssues(issues: Issue[]): Issue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** PURE: parses and checks a cluster description. */
export function loadCluster(text: string): LoadResult {
  try {
    return loadClusterText(text);
  } catch (err) {
    // Thousands of nested levels exhaust the parser's stack; no cluster description is like that.
    if (err instanceof RangeError) return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'nested too deeply to read (a cluster description is a few levels deep)' }] };
    throw err;
  }
}

function loadClusterText(text: string): LoadResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const docList = Array.isArray(docs) ? docs : [];
  const pos = (offset: number) => positionOf(lines, offset);
  if (docList.length === 0) return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'the file is empty; it needs at least "cluster" and "nodes"' }] };
  const issues: Issue[] = [];
  if (docList.length > 1) {
    const second = docList[1]!;
    issues.push({ ...pos(second.range[0]), pointer: '', message: 'the file holds more than one YAML document (---); put the whole description in one' });
  }
  const doc = docList[0]!;
  for (const err of doc.errors) {
    // An unclosed [ or {: the parser notices only where it gives up (often the end of the file);
    // point at the bracket that was opened, where a person would look.
    const unclosed = /end with a ([\]}])/.exec(err.message);
    const opener = unclosed === null ? null : unclosedOpener(text, err.pos[0], unclosed[1] === ']' ? '[' : '{');
    if (unclosed !== null && opener !== null) {
      const kind = unclosed[1] === ']' ? 'list' : 'mapping';
      issues.push({ ...pos(opener), pointer: '', message: `this ${unclosed[1] === ']' ? '[' : '{'} opens a ${kind} that is never closed with ${unclosed[1]}` });
      continue;
    }
    const message =
      err.code === 'DUPLICATE_KEY'
        ? 'this key appears twice in the same mapping; keep one'
        : /Maximum call stack size exceeded/.test(err.message)
          ? 'nested too deeply to read (a cluster description is a few levels deep)'
        : `invalid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`;
    issues.push({ ...pos(err.pos[0]), pointer: '', message });
  }
  visit(doc, {
    Node(_key, node) {
      if (node.tag !== undefined && node.range) {
        issues.push({ ...pos(node.range[0]), pointer: '', message: `YAML tags such as ${node.tag.startsWith('tag:yaml.org,2002:') ? `!!${node.tag.slice(18)}` : node.tag} are not allowed; write plain values` });
      }
    },
    Pair(_key, pair) {
      if (isPair(pair) && !isScalar(pair.key) && pair.key !== null) {
        const range = (pair.key as Node).range;
        issues.push({ ...(range ? pos(range[0]) : { line: 1, column: 1 }), pointer: '', message: 'mapping keys must be plain text' });
      }
    },
  });
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: `the aliases (*name) expand to too much data (${(err as Error).message.split('\n')[0]}); write the values out` }] };
  }
  if (data === null || data === undefined) {
    return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'the file is empty; it needs at least "cluster" and "nodes"' }] };
  }
  const locate = makeLocator(doc, lines);
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const issue = describe(e, data, locate);
      if (issue) issues.push(issue);
    }
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) issues.push(...semanticChecks(data as Record<string, unknown>, locate));
  // One problem reported twice (schema and semantic check on the same spot) is shown once.
  const unique = [...new Map(issues.map((i) => [`${i.line}:${i.column}:${i.pointer}:${i.message}`, i])).values()];
  if (unique.length > 0) return { ok: false, issues: sortIssues(unique) };
  return { ok: true, value: normalise(data as Record<string, unknown>) };
}

/**
 * PURE: the offset of the innermost `open` bracket still unclosed at `end`, scanning YAML text
 * outside quoted scalars and comments; null if there is none.
 */
export function unclosedOpener(text: string, end: number, open: '[' | '{'): number | null {
  const stack: Array<[string, number]> = [];
  let quote: string | null = null;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) {
      quote = c; // only at the start of a scalar: o'brien.local is plain text
    } else if (c === '[' || c === '{') {
      stack.push([c, i]);
    } else if (c === ']' || c === '}') {
      stack.pop();
    }
  }
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]![0] === open) return stack[k]![1];
  return null;
}

/** Control characters, line breaks and terminal escapes from the description, shown escaped. */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;
const printable = (s: string): string => s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One problem, one line: `FILE:LINE:COLUMN: /pointer: message`, whatever the description holds. */
export function formatIssue(file: string, issue: Issue): string {
  return printable(`${file}:${issue.line}:${issue.column}: ${issue.pointer || '/'}: ${issue.message}`);
}
