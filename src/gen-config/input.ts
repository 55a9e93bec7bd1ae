// Generated from schemas/cluster.schema.json by scripts/schema-types.mjs (npm run golden:update);
// do not edit: change the schema, and the types follow.

export type DurationInput = string;

export type PortInput = number;

/** host or host:port, without scheme or path; IPv6 as [addr] or [addr]:port. */
export type AddressInput = string;

export type LabelsInput = Record<string, string>;

export type NodeInput = {
  /** The node_name label (default: the host part of the address). */
  readonly name?: string;
  readonly address: AddressInput;
  /** Extra target labels. */
  readonly labels?: LabelsInput;
  /** This node's mode (default: the top-level mode). */
  readonly mode?: ModeInput;
};

export type RemoteWriteInput = {
  readonly url: string;
  readonly name?: string;
  readonly basic_auth?: {
    readonly username: string;
    readonly password_file: string;
  };
  /** Sent as authorization credentials_file. */
  readonly bearer_token_file?: string;
};

export type AlertRouteInput = {
  /** Names of receivers below. */
  readonly receivers: Array<string>;
  /** How long to wait for more alerts of a new group before the first notification. */
  readonly group_wait?: DurationInput;
  /** How long to wait before notifying about changes in a group (new alerts, resolved ones). */
  readonly group_interval?: DurationInput;
  /** How long to wait before sending a notification again while nothing changed. */
  readonly repeat_interval?: DurationInput;
};

/** Absolute path of a file holding the secret; the secret itself never goes into the description or the generated files. */
export type SecretFileInput = string;

/** One notification channel: a name, and exactly one of webhook, email, discord, telegram. */
export type ReceiverInput = {
  readonly name: string;
  /** Alertmanager's webhook JSON, POSTed to url (ntfy, Gotify, your own service). */
  readonly webhook?: {
    /** Written into alertmanager.yml as it is: put no secret in it; use bearer_token_file or basic_auth. */
    readonly url: string;
    readonly bearer_token_file?: SecretFileInput;
    readonly basic_auth?: {
      readonly username: string;
      readonly password_file: SecretFileInput;
    };
  };
  readonly email?: {
    readonly to: string;
    readonly from: string;
    /** SMTP server host:port. */
    readonly smarthost: AddressInput;
    readonly username?: string;
    readonly password_file?: SecretFileInput;
    /** Default true. */
    readonly require_tls?: boolean;
  };
  readonly discord?: {
    /** File holding the channel's webhook URL with /slack appended (Discord's Slack-compatible endpoint). */
    readonly webhook_url_file: SecretFileInput;
  };
  readonly telegram?: {
    readonly bot_token_file: SecretFileInput;
    readonly chat_id: number;
  };
};

export type ModeInput = "server" | "agent";

/** A Raspberry Pi cluster, for `pi-textfile gen-config`, which turns it into prometheus.yml, alert rules and node_exporter's arguments. */
export type ClusterInput = {
  /** Name of the cluster; becomes the external label cluster="...". */
  readonly cluster: string;
  /** How often Prometheus scrapes (default 30s). */
  readonly scrape_interval?: DurationInput;
  /** Scrape time limit; must not exceed scrape_interval (default 10s, or scrape_interval if shorter). */
  readonly scrape_timeout?: DurationInput;
  /** How often rules are evaluated (default: scrape_interval). */
  readonly evaluation_interval?: DurationInput;
  /** Labels added to everything that leaves Prometheus (alerts, remote_write). */
  readonly external_labels?: LabelsInput;
  /** How Prometheus learns the nodes: "static" (default), listed in prometheus.yml; or "file", listed in pi-textfile.targets.json (file_sd), which Prometheus rereads within seconds when gen-config rewrites it, with no reload. */
  readonly discovery?: "static" | "file";
  /** How many Prometheus servers share the scraping (default 1). Each keeps its hashmod share of the nodes, carries a shard external label and writes to remote_write, the central store; needs remote_write. */
  readonly shards?: number;
  /** How the nodes' series reach Prometheus: "server" (default), scraped by Prometheus; or "agent", each node runs Prometheus in agent mode, scraping itself and pushing to remote_write (for nodes behind NAT). A node's own mode overrides it. */
  readonly mode?: ModeInput;
  /** The Prometheus server itself. */
  readonly prometheus?: {
    /** Where Prometheus listens, for its own scrape job (default localhost:9090). */
    readonly address?: AddressInput;
  };
  readonly node_exporter?: {
    /** node_exporter's port on every node that gives none (default 9100). */
    readonly port?: PortInput;
    /** Directory node_exporter reads .prom files from (default /var/lib/prometheus/node-exporter). */
    readonly textfile_directory?: string;
    /** Devices and mount points node_exporter leaves out (each network interface costs about 30 series). The defaults leave out container and virtual interfaces, SD-card and zram partitions, and Kubernetes mounts; false keeps node_exporter's own defaults. */
    readonly exclude?: false | {
      /** Regexp (Go RE2) of interfaces to leave out, for netdev and netclass. */
      readonly network_devices?: string;
      /** Regexp of block devices to leave out, for diskstats. */
      readonly disk_devices?: string;
      /** Regexp of mount points to leave out, for filesystem. */
      readonly mount_points?: string;
    };
  };
  /** The nodes to scrape: an address (host or host:port), or a mapping with address, name, labels and mode. Empty only with discovery: file and gen-config --force. */
  readonly nodes: Array<AddressInput | NodeInput>;
  readonly alerting?: {
    readonly alertmanagers?: Array<AddressInput>;
  };
  /** An Alertmanager for the cluster's alerts: gen-config writes alertmanager.yml and the ARGS for /etc/default/prometheus-alertmanager, and prometheus.yml sends alerts to it. Alerts are grouped by alertname and node_name; a node that is down silences its own warnings. */
  readonly alertmanager?: {
    /** Where Alertmanager listens (default localhost:9093). On localhost or 127.0.0.1 it listens on 127.0.0.1 only. */
    readonly address?: AddressInput;
    /** Where critical alerts go (they page): by default sent 10s after they fire, repeated every 1h while they last. */
    readonly critical: AlertRouteInput;
    /** Where warnings go, batched: by default the critical receivers, sent 5m after the first, repeated every 12h. */
    readonly warning?: AlertRouteInput;
    readonly receivers: Array<ReceiverInput>;
  };
  /** Grafana provisioning (on by default): the Prometheus datasource and two dashboards, in grafana/ under the output directory. */
  readonly grafana?: {
    /** false: write no Grafana files. */
    readonly enabled?: boolean;
    /** Where Grafana reaches Prometheus (default http:// and prometheus.address). */
    readonly prometheus_url?: string;
    /** Where the dashboards' JSON files are installed on the Grafana machine, for the file provider (default /var/lib/grafana/dashboards/pi-textfile). */
    readonly dashboards_path?: string;
  };
  readonly remote_write?: Array<RemoteWriteInput>;
  /** The central side of shards and agents: vmalert (from Debian's victoria-metrics) evaluating the rules that need the whole fleet against the store. */
  readonly central?: {
    /** The store's Prometheus query API, where vmalert and Grafana query (default: the first remote_write URL without /api/v1/write). */
    readonly query_url?: string;
    /** How often vmalert evaluates (default: evaluation_interval). */
    readonly evaluation_interval?: DurationInput;
  };
  readonly alerts?: {
    /** Default 70. */
    readonly temperature_warning_celsius?: number;
    /** Default 80. */
    readonly temperature_critical_celsius?: number;
    /** Age after which pi-textfile.prom counts as stale (default 3m). */
    readonly textfile_stale_after?: DurationInput;
    /** How long PiUnderVoltage keeps firing after the supply recovers, so that a flapping supply sends one alert (default 5m). */
    readonly under_voltage_keep_firing_for?: DurationInput;
    /** With shards or agents: how long a node's series may stop arriving in the store before PiNodeNotReporting fires (default 10m). */
    readonly node_silent_after?: DurationInput;
    /** With shards or agents: how long the store remembers a node that reported, for PiNodeNotReporting (default 1d); a node silent for longer is forgotten. */
    readonly nodes_remembered_for?: DurationInput;
  };
};
