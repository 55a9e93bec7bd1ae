/** `pi-textfile gen-config`: its flags and help. The command itself is loaded only when it runs. */
import type { Command } from 'commander';
import type { Io } from '../lib/io';
import { EXIT_INVALID, UserError } from '../lib/errors';
import type { Raw } from './common';

export function registerGenConfig(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('gen-config')
    .description('generate prometheus.yml, alert rules, node_exporter\'s ARGS, Grafana dashboards and Alertmanager routing from a cluster description')
    .requiredOption('--config <file>', 'the cluster description (YAML; schema: schemas/cluster.schema.json)')
    .option('--out <dir>', 'write prometheus.yml, pi-textfile.rules.yml, prometheus-node-exporter, Grafana\'s provisioning and dashboards (grafana/) and, with an alertmanager section, alertmanager.yml and prometheus-alertmanager into DIR, created if missing (without it: print prometheus.yml)')
    .option('--check', 'only validate the description: exit 0 if valid, 1 listing every problem')
    .option('--force', 'overwrite files in DIR that pi-textfile did not generate; with discovery: file, write a target list that is empty or lost more than half of its nodes')
    .option('--format <format>', 'how problems are reported: text (FILE:LINE:COLUMN lines on stderr), github (annotations on a pull request\'s lines), json (one object a line on stdout)', 'text')
    .addHelpText(
      'after',
      `
Example cluster.yml:
  cluster: mykube
  nodes:
    - kube-0.local
    - name: kube-1
      address: 192.168.1.101:9100
      labels: {role: worker}

Fleets (see the README's "Fleets" section):
  discovery: file     nodes in pi-textfile.targets.json, reread by Prometheus without a reload
  shards: N           prometheus-shard-K.yml for N Prometheus servers writing to remote_write
  mode: agent         agents/NAME.yml: Prometheus in agent mode on each node (or per node)
  With shards or agents, pi-textfile.fleet.rules.yml and pi-textfile-vmalert.service: the
  alerts that need the whole fleet, from vmalert on the central store.

In CI (GitHub Actions), each problem on its line of the pull request:
  pi-textfile gen-config --check --format github --config cluster.yml

Exit codes (every format):
  0  ok
  1  the description is invalid; every problem is listed as
     FILE:LINE:COLUMN: /pointer: message
  2  could not run: file missing, output directory that cannot be created or
     written, or a file there that pi-textfile did not generate (use --force)
`,
    )
    .action(async (raw: Raw) => {
      // Required here, not imported at the top: collect must never load yaml or ajv.
      const { runGenConfig } = require('../commands/gen-config') as typeof import('../commands/gen-config');
      const format = raw.format as string;
      if (!['text', 'github', 'json'].includes(format)) throw new UserError(`--format ${JSON.stringify(format)}: choose text, github or json`, EXIT_INVALID);
      done(await runGenConfig({ config: raw.config as string, out: raw.out as string | undefined, check: raw.check === true, force: raw.force === true, format: format as 'text' | 'github' | 'json' }, io));
    });
}
