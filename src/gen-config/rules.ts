/** PURE: the per-node alert rules (pi-textfile.rules.yml), for the Prometheus that scrapes each node. */
import { TEXTFILE_NAME } from '../framework/textfile';
import { parseDuration } from '../lib/duration';
import type { Cluster } from './cluster';
import { header, TEXTFILE_SELECTOR, yaml, type OutputFile, type Rule } from './toolbox';

export const RULES_FILE = 'pi-textfile.rules.yml';

/**
 * The per-node alert rules. `extra` adds a matcher to every selector: the central side evaluates
 * these rules for the agents' series only (scraped_by="agent"), which no Prometheus evaluates.
 */
export function nodeRules(c: Cluster, extra?: string): Rule[] {
  const staleSeconds = (parseDuration(c.alerts.textfileStaleAfter) ?? 180000) / 1000;
  const node = '{{ $labels.node_name }}';
  const sel = (metric: string, matchers = ''): string => {
    const all = [matchers, extra ?? ''].filter((m) => m !== '').join(',');
    return all === '' ? metric : `${metric}{${all}}`;
  };
  const rules: Rule[] = [
    {
      alert: 'PiUnderVoltage',
      expr: `${sel('rpi_throttle_condition_active', 'condition="under_voltage"')} == 1`,
      keep_firing_for: c.alerts.underVoltageKeepFiringFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: `${node}: power supply under-voltage now`,
        description: `The firmware of ${node} reports under-voltage (below about 4.63 V) right now. Use a power supply that holds 5.1 V under load and a short, thick cable; under-voltage throttles the CPU and can corrupt the SD card.`,
      },
    },
    {
      alert: 'PiUnderVoltageSinceBoot',
      expr: `${sel('rpi_throttle_condition_occurred', 'condition="under_voltage"')} == 1`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: under-voltage has occurred since boot`,
        description: `${node} has seen its supply drop below about 4.63 V at least once since it booted, perhaps too briefly to catch live. Check the power supply and cable; the flag clears at the next reboot.`,
      },
    },
    {
      alert: 'PiThrottled',
      expr: `${sel('rpi_throttle_condition_active', 'condition=~"throttled|arm_frequency_capped"')} == 1`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: CPU {{ $labels.condition }} for 5 minutes`,
        description: `The firmware of ${node} has held the CPU below its full speed ({{ $labels.condition }}) for 5 minutes, because of heat or low voltage. Check cooling and the power supply.`,
      },
    },
    {
      alert: 'PiSoftTemperatureLimit',
      expr: `${sel('rpi_throttle_condition_active', 'condition="soft_temperature_limit"')} == 1`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: soft temperature limit active`,
        description: `${node} has been at its soft temperature limit for 5 minutes and runs at reduced clock. Improve cooling (heatsink, fan, airflow).`,
      },
    },
    {
      alert: 'PiTemperatureHigh',
      expr: `${sel('rpi_soc_temperature_celsius')} > ${c.alerts.temperatureWarningCelsius}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: SoC at {{ $value }} °C`,
        description: `The SoC of ${node} has been above ${c.alerts.temperatureWarningCelsius} °C for 5 minutes ({{ $value }} °C now). The firmware throttles from about 80 °C; improve cooling.`,
      },
    },
    {
      alert: 'PiTemperatureCritical',
      expr: `${sel('rpi_soc_temperature_celsius')} > ${c.alerts.temperatureCriticalCelsius}`,
      for: '1m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `${node}: SoC at {{ $value }} °C`,
        description: `The SoC of ${node} has been above ${c.alerts.temperatureCriticalCelsius} °C for a minute ({{ $value }} °C now) and is being throttled. Check its fan or heatsink now.`,
      },
    },
    {
      alert: 'PiTextfileCollectorFailing',
      expr: `${sel('pi_textfile_collector_success')} == 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: pi-textfile collector {{ $labels.collector }} failing`,
        description: `The {{ $labels.collector }} collector of pi-textfile on ${node} has failed for 5 minutes, so its readings are missing. Run "pi-textfile collect --stdout" there: the warning it prints says what to fix (often: add the user to the video group).`,
      },
    },
    {
      alert: 'PiTextfileStale',
      expr: `time() - ${sel('node_textfile_mtime_seconds', TEXTFILE_SELECTOR)} > ${staleSeconds}`,
      for: '1m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: ${TEXTFILE_NAME} not updated for {{ $value | humanizeDuration }}`,
        description: `node_exporter on ${node} still serves ${TEXTFILE_NAME}, but nothing has rewritten it for {{ $value | humanizeDuration }}: its readings are stale. Check the timer: systemctl status pi-textfile.timer pi-textfile.service.`,
      },
    },
    {
      alert: 'PiTextfileMissing',
      expr: `${sel('up', 'job="node"')} == 1 unless on (instance) ${sel('node_textfile_mtime_seconds', TEXTFILE_SELECTOR)}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: no ${TEXTFILE_NAME} served`,
        description: `node_exporter on ${node} is up but serves no ${TEXTFILE_NAME}. Check that pi-textfile runs and writes into the directory node_exporter reads (--collector.textfile.directory), and that the file is readable by node_exporter.`,
      },
    },
    {
      alert: 'PiTextfileScrapeError',
      expr: `${sel('node_textfile_scrape_error')} == 1`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${node}: node_exporter cannot read a textfile`,
        description: `node_exporter on ${node} fails to read its textfile directory or a .prom file in it; see its log (journalctl -u prometheus-node-exporter).`,
      },
    },
    {
      alert: 'PiNodeDown',
      expr: `${sel('up', 'job="node"')} == 0`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `${node} is down`,
        description: `Prometheus has not reached node_exporter on ${node} ({{ $labels.instance }}) for 2 minutes: the node is off, off the network, or node_exporter is stopped.`,
      },
    },
  ];
  return rules;
}

export function renderRules(c: Cluster, source: string): string {
  return header(source) + yaml({ groups: [{ name: 'pi-textfile', rules: nodeRules(c) }] });
}


export const RULES_FILES: readonly OutputFile[] = [{ path: RULES_FILE, when: () => true, render: renderRules, recognise: 'header' }];
