/**
 * `pi-textfile doctor`: checks the whole chain from Node to Prometheus's scrape, one line per
 * check (each in its own file in src/deploy/checks/), each failure with its fix. The three classic
 * silent failures are its main business: vcgencmd not permitted, node_exporter not reading our
 * directory, a stale file served forever.
 *
 * Exit codes: 0 every check passed (warnings allowed); 1 a check failed, or invalid flags.
 */
import { checkNode, type NodeFacts } from '../deploy/checks/node';
import { checkNodeExporter } from '../deploy/checks/node-exporter';
import { checkScrape } from '../deploy/checks/scrape';
import { checkTextfile } from '../deploy/checks/textfile';
import { checkVcgencmd } from '../deploy/checks/vcgencmd';
import type { Check } from '../deploy/checks/check';
import { PACKAGE_UNIT_DIR, SERVICE, UNIT_DIR } from '../deploy/layout';
import * as fs from 'node:fs';
import { EXIT_OK } from '../lib/errors';
import * as path from 'node:path';
import { NODE_EXPORTER_DEFAULTS } from '../node-exporter/defaults';
import { findTextfileDirectory, type TextfileDirectory } from '../node-exporter/directory';
import type { Io } from '../lib/io';

const EXIT_CHECK_FAILED = 1;

export interface DoctorOptions {
  textfileDirectory?: string;
  textfileName: string;
  maxAgeMs: number;
  /** node_exporter's /metrics; default: 127.0.0.1 on the port node_exporter listens on. */
  url?: string;
  vcgencmd?: string;
  vcgencmdTimeoutMs: number;
}

export interface DoctorDeps {
  node: NodeFacts;
  uid: number;
  procfs: string;
  rootfs: string;
  /** Where installed units are looked for, first match wins: install's, then the Debian package's. */
  unitDirectories: string[];
  groupFile: string;
  searchPath?: string;
  wallMs(): number;
}

export const defaultDoctorDeps = (): DoctorDeps => {
  const vars = (process.config.variables ?? {}) as Record<string, unknown>;
  return {
    node: {
      version: process.version,
      execPath: process.execPath,
      snapshot: vars.node_use_node_snapshot === true || vars.node_use_node_snapshot === 'true',
      codeCache: vars.node_use_node_code_cache === true || vars.node_use_node_code_cache === 'true',
    },
    uid: process.getuid?.() ?? 0,
    procfs: '/proc',
    rootfs: '/',
    unitDirectories: [UNIT_DIR, PACKAGE_UNIT_DIR],
    groupFile: '/etc/group',
    searchPath: process.env.PATH,
    wallMs: () => Date.now(),
  };
};

export async function runDoctor(opts: DoctorOptions, io: Io, deps: DoctorDeps = defaultDoctorDeps()): Promise<number> {
  const checks: Check[] = [];
  const show = (c: Check): void => {
    checks.push(c);
    io.stdout(`${c.status.padEnd(4)} ${c.name}: ${c.text}${c.fix ? `; fix: ${c.fix}` : ''}\n`);
  };
  show(checkNode(deps.node, deps.unitDirectories.slice(1).some((d) => fs.existsSync(path.join(d, SERVICE)))));
  show(await checkVcgencmd({ ...opts, uid: deps.uid, groupFile: deps.groupFile, searchPath: deps.searchPath }));
  const exporter = checkNodeExporter({ url: opts.url, procfs: deps.procfs, defaultsFile: path.join(deps.rootfs, NODE_EXPORTER_DEFAULTS) });
  show(exporter.check);
  // The directory by the rule collect and install use; the node_exporter check above already
  // reported a node_exporter that cannot be picked, so here the configuration decides.
  let found: TextfileDirectory;
  try {
    found = findTextfileDirectory({ flag: opts.textfileDirectory, rootfs: deps.rootfs, procfs: deps.procfs, port: exporter.chosen?.port });
  } catch {
    found = findTextfileDirectory({ flag: opts.textfileDirectory, rootfs: deps.rootfs, procfs: null });
  }
  show(checkTextfile({ ...opts, unitDirectories: deps.unitDirectories, wallMs: deps.wallMs }, found.directory, found.source));
  show(await checkScrape(exporter.url, opts.textfileName));
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  io.stdout(failed === 0 ? 'pi-textfile doctor: all checks passed\n' : `pi-textfile doctor: ${failed} of ${checks.length} checks failed\n`);
  return failed === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}
