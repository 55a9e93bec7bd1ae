/** PURE: Alertmanager's routing (alertmanager.yml) and ARGS, for the alertmanager section. */
import { splitHostPort } from '../lib/address';
import type { Alertmanager, Cluster, Receiver } from './cluster';
import { header, yaml, type OutputFile } from './toolbox';

const ALERTMANAGER_FILE = 'alertmanager.yml';
const ALERTMANAGER_DEFAULTS_FILE = 'prometheus-alertmanager';

/** One receiver's part of an Alertmanager receiver: its *_configs entry, secrets as file references. */
function receiverConfig(r: Receiver): [string, Record<string, unknown>] {
  switch (r.kind) {
    case 'webhook': {
      const out: Record<string, unknown> = { url: r.url, send_resolved: true };
      if (r.bearerTokenFile !== undefined) out.http_config = { authorization: { type: 'Bearer', credentials_file: r.bearerTokenFile } };
      if (r.basicAuth) out.http_config = { basic_auth: { username: r.basicAuth.username, password_file: r.basicAuth.passwordFile } };
      return ['webhook_configs', out];
    }
    case 'email': {
      const out: Record<string, unknown> = { to: r.to, from: r.from, smarthost: r.smarthost, require_tls: r.requireTls, send_resolved: true };
      if (r.username !== undefined) out.auth_username = r.username;
      if (r.passwordFile !== undefined) out.auth_password_file = r.passwordFile;
      return ['email_configs', out];
    }
    case 'discord':
      // Discord's Slack-compatible endpoint (the webhook URL + /slack): Alertmanager 0.25 reads
      // a Slack URL from a file, and its Discord receiver would need the URL inline.
      return ['slack_configs', { api_url_file: r.webhookUrlFile, send_resolved: true }];
  }
}

/** An Alertmanager receiver named `name`, with the *_configs of every receiver `names` lists. */
function combinedReceiver(am: Alertmanager, name: string, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { name };
  for (const n of names) {
    const [key, config] = receiverConfig(am.receivers.find((r) => r.name === n)!);
    out[key] = [...((out[key] as unknown[] | undefined) ?? []), config];
  }
  return out;
}

/**
 * alertmanager.yml (Alertmanager 0.25): critical alerts page soon and repeat hourly; warnings are
 * batched; groups per alert and node; a node that is down silences its own warnings.
 */
function renderAlertmanagerConfig(c: Cluster, source: string): string {
  const am = c.alertmanager!;
  const timing = (r: Alertmanager['critical']) => ({ group_wait: r.groupWait, group_interval: r.groupInterval, repeat_interval: r.repeatInterval });
  const config = {
    route: {
      receiver: 'warning',
      group_by: ['alertname', 'node_name'],
      ...timing(am.warning),
      routes: [{ receiver: 'critical', matchers: ['severity="critical"'], ...timing(am.critical) }],
    },
    inhibit_rules: [
      // A node that is down: its warnings say nothing new.
      { source_matchers: ['alertname="PiNodeDown"'], target_matchers: ['severity="warning"'], equal: ['node_name'] },
      { source_matchers: ['alertname="PiUnderVoltage"'], target_matchers: ['alertname="PiUnderVoltageSinceBoot"'], equal: ['node_name'] },
      { source_matchers: ['alertname="PiTemperatureCritical"'], target_matchers: ['alertname="PiTemperatureHigh"'], equal: ['node_name'] },
      // A shard that went silent: its nodes going silent with it is the same news.
      ...(c.shards > 1 ? [{ source_matchers: ['alertname="PiShardNotReporting"'], target_matchers: ['alertname="PiNodeNotReporting"'], equal: ['shard'] }] : []),
    ],
    receivers: [combinedReceiver(am, 'critical', am.critical.receivers), combinedReceiver(am, 'warning', am.warning.receivers)],
  };
  return header(source) + yaml(config);
}

/**
 * /etc/default/prometheus-alertmanager: a single Alertmanager with no cluster gossip (Debian's
 * default listens for it on 0.0.0.0:9094), listening on loopback when its address is local.
 */
function renderAlertmanagerDefaults(c: Cluster, source: string): string {
  const address = c.alertmanager!.address;
  const { host, port } = splitHostPort(address);
  const listen = ['localhost', '127.0.0.1'].includes(host.toLowerCase()) ? `127.0.0.1:${port}` : host === '[::1]' ? `[::1]:${port}` : `:${port}`;
  return (
    header(source) +
    '# Arguments for prometheus-alertmanager (read by its systemd unit), as\n' +
    '# /etc/default/prometheus-alertmanager on the machine that runs it, with alertmanager.yml as\n' +
    '# /etc/prometheus/alertmanager.yml. One Alertmanager: --cluster.listen-address= (empty) turns\n' +
    '# off the gossip that Debian\'s default opens on 0.0.0.0:9094.\n' +
    `ARGS="--cluster.listen-address= --web.listen-address=${listen}"\n`
  );
}

export const ALERTMANAGER_FILES: readonly OutputFile[] = [
  { path: ALERTMANAGER_FILE, when: (c) => c.alertmanager !== undefined, render: renderAlertmanagerConfig, recognise: 'header' },
  { path: ALERTMANAGER_DEFAULTS_FILE, when: (c) => c.alertmanager !== undefined, render: renderAlertmanagerDefaults, recognise: 'header' },
];
