/** doctor's node_exporter check: one running, picked by the rule install uses, textfile collector on. */
import { DEFAULT_PORT, findNodeExporters, pickNodeExporter, ambiguityMessage, type NodeExporterProcess } from '../../node-exporter/process';
import { fail, ok, type Check } from './check';

interface ExporterFinding {
  check: Check;
  chosen: NodeExporterProcess | undefined;
  url: string;
}

export function checkNodeExporter(opts: { url?: string; procfs: string; defaultsFile: string }): ExporterFinding {
  const running = findNodeExporters(opts.procfs);
  let wantedPort: number | undefined;
  if (opts.url !== undefined) {
    const u = new URL(opts.url);
    wantedPort = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  }
  const chosen = pickNodeExporter(running, wantedPort);
  const url = opts.url ?? `http://127.0.0.1:${chosen?.port ?? DEFAULT_PORT}/metrics`;
  const install = 'sudo apt install prometheus-node-exporter; sudo systemctl enable --now prometheus-node-exporter';
  if (chosen === undefined) {
    const others = running.map((p) => `pid ${p.pid} on port ${p.port}`).join(', ');
    if (running.length > 1 && wantedPort === undefined) {
      const [text, fix] = ambiguityMessage(running).split('; ');
      return { check: fail('node_exporter', text!, fix!), chosen, url };
    }
    const text =
      running.length === 0
        ? 'not running: no prometheus-node-exporter or node_exporter process'
        : `none of the running node_exporters listens on port ${wantedPort} (found ${others})`;
    return { check: fail('node_exporter', text, running.length === 0 ? install : 'pass --node-exporter.url with the port node_exporter listens on'), chosen, url };
  }
  const who = `pid ${chosen.pid} (${chosen.argv[0]}) on port ${chosen.port}`;
  if (chosen.textfileDisabled) {
    return {
      check: fail('node_exporter', `${who} runs with its textfile collector disabled`, `remove --no-collector.textfile from its arguments (ARGS in ${opts.defaultsFile}), or add --collector.textfile`),
      chosen,
      url,
    };
  }
  if (chosen.textfileDirectory === null) {
    return {
      check: fail('node_exporter', `${who} has no --collector.textfile.directory, so it reads no textfiles`, 'add --collector.textfile.directory=/var/lib/prometheus/node-exporter to its arguments, restart it, then sudo pi-textfile install'),
      chosen,
      url,
    };
  }
  const from = chosen.textfileDirectorySource === 'command line' ? 'from its command line' : 'its built-in default';
  return { check: ok('node_exporter', `${who} reads textfiles from ${chosen.textfileDirectory} (${from})`), chosen, url };
}

