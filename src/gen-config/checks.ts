/**
 * The checks of a cluster description that a JSON Schema cannot express: uniqueness, what one
 * section needs of another, what the real tools refuse although the schema's forms allow it.
 * They run on whatever parts are well-formed, so that one run reports every problem.
 */
import { splitHostPort } from '../lib/address';
import { parseDuration } from '../lib/duration';
import { DEFAULTS, defaultNodeName, FILE_NAME, modeOf, queryUrlOf } from './cluster';
import { escapePointer, show, type Issue, type Locator, type Report } from './issues';

/** Receiver kinds the schema knows; the first three are written, telegram is refused (see below). */
const RECEIVER_KINDS = ['webhook', 'email', 'discord', 'telegram'] as const;

/** Labels pi-textfile sets itself, or that Prometheus reserves. */
const RESERVED_TARGET_LABELS = new Set(['node_name', 'job', 'instance']);
const DURATION_SYNTAX = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/**
 * PURE: why Prometheus (Go's net/url) would refuse a remote_write URL the schema let through, or
 * why pi-textfile does; null if it is fine. Credentials in the URL are refused: they would sit in a
 * world-readable prometheus.yml, and basic_auth with password_file keeps them in a file of their own.
 */
function remoteWriteUrlProblem(url: string): string | null {
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

/** PURE: every problem of `data` that the schema cannot see, located by `locate`. */
export function checkCluster(data: Record<string, unknown>, locate: Locator): Issue[] {
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

/**
 * Shards, agents and their central side; discovery; node_exporter's excludes: what each needs of
 * the rest of the description.
 */
function fleetChecks(data: Record<string, unknown>, at: Report): void {
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
  at: Report,
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
