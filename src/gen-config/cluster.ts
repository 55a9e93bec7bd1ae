/**
 * A cluster description as gen-config's renderers read it: every default filled in, names in
 * camelCase, each address with its port (normalise.ts builds it from what the schema and the
 * checks let through; input.ts is the shape of the description itself, from its schema).
 */
import type { ClusterInput } from './input';
import { splitHostPort } from '../lib/address';

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
