/** PURE: node_exporter's ARGS for the nodes (Debian's /etc/default/prometheus-node-exporter). */
import { portOf } from '../lib/address';
import type { Cluster } from './cluster';
import { header, type OutputFile } from './toolbox';

const NODE_EXPORTER_DEFAULTS_FILE = 'prometheus-node-exporter';

/**
 * /etc/default/prometheus-node-exporter for the nodes: `prometheus-node-exporter` for those on
 * node_exporter's port, and `prometheus-node-exporter.port-P` for each other port a node's
 * address names, each listing its nodes, so that every node_exporter listens where Prometheus
 * scrapes it.
 */
export function renderNodeExporterDefaults(c: Cluster, source: string): Array<[string, string]> {
  const others = [...new Set(c.nodes.map((n) => portOf(n.address)))].filter((p) => p !== c.nodeExporter.port).sort((a, b) => a - b);
  const ports = [c.nodeExporter.port, ...others];
  const e = c.nodeExporter.exclude;
  const excludes =
    e === null
      ? ''
      : ` --collector.netdev.device-exclude=${e.networkDevices} --collector.netclass.ignored-devices=${e.networkDevices}` +
        ` --collector.diskstats.device-exclude=${e.diskDevices} --collector.filesystem.mount-points-exclude=${e.mountPoints}`;
  return ports.map((port) => {
    const nodes = c.nodes.filter((n) => portOf(n.address) === port).map((n) => n.name);
    const name = port === c.nodeExporter.port ? NODE_EXPORTER_DEFAULTS_FILE : `${NODE_EXPORTER_DEFAULTS_FILE}.port-${port}`;
    // With discovery: file the node list lives in the targets file alone: this file does not
    // change when it does.
    const which =
      c.discovery === 'file' || nodes.length > 20
        ? `the nodes whose node_exporter listens on port ${port}`
        : nodes.length > 0
          ? `these nodes: ${nodes.join(', ')}`
          : 'nodes given without a port (none are, yet)';
    return [
      name,
      header(source) +
        '# Arguments for prometheus-node-exporter (read by its systemd unit and init script), as\n' +
        `# /etc/default/prometheus-node-exporter on ${which}.\n` +
        (e === null
          ? ''
          : '# The excludes leave out container and virtual network interfaces, SD-card partitions and\n' +
            '# Kubernetes mounts (each network interface costs about 30 series).\n') +
        '# Each flag is --name=value with no spaces, quotes or backslashes in the value, and no $\n' +
        '# before a name, so that shell and systemd read this line the same way.\n' +
        `ARGS="--collector.textfile.directory=${c.nodeExporter.textfileDirectory}${excludes} --web.listen-address=:${port}"\n`,
    ];
  });
}

export const NODE_EXPORTER_FILES: readonly OutputFile[] = [
  { path: /^prometheus-node-exporter(\.port-\d+)?$/, when: () => true, render: renderNodeExporterDefaults, recognise: 'header' },
];
