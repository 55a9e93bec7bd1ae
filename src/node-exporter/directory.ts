/**
 * Which directory node_exporter reads textfiles from: the one answer collect, install and doctor
 * share, with one precedence:
 *   1. the flag the user gave (--textfile.directory);
 *   2. the running node_exporter's --collector.textfile.directory (the truth, when one runs);
 *   3. --collector.textfile.directory in ARGS of /etc/default/prometheus-node-exporter;
 *   4. the Debian package's default, /var/lib/prometheus/node-exporter.
 * The answer is a path in that system; a caller that sees the system below a root (collect's
 * --path.rootfs, install's --root) puts it below that root itself.
 */
import { readTextOrNull } from '../framework/host';
import * as path from 'node:path';
import { EXIT_CANNOT_RUN, UserError } from '../lib/errors';
import { DEFAULT_TEXTFILE_DIRECTORY, NODE_EXPORTER_DEFAULTS, parseNodeExporterDefaults } from './defaults';
import { ambiguityMessage, findNodeExporters, pickNodeExporter, type NodeExporterProcess } from './process';

export interface TextfileDirectory {
  directory: string;
  /** How it was found, for messages: "node_exporter pid 812's command line", ... */
  source: string;
  /** The running node_exporter it came from, or that was picked without a directory of its own. */
  exporter?: NodeExporterProcess;
}

export interface DirectoryQuery {
  /** --textfile.directory, if given. */
  flag?: string;
  /** The system's root, where /etc/default/prometheus-node-exporter is read. */
  rootfs: string;
  /** Where to look for running node_exporters; null: do not (an image, another root). */
  procfs: string | null;
  /** Prefer the node_exporter on this port (doctor's --node-exporter.url). */
  port?: number;
}

export function findTextfileDirectory(q: DirectoryQuery): TextfileDirectory {
  const found = lookUp(q);
  // node_exporter accepts a glob there; pi-textfile writes one file into one directory.
  if (/[*?[]/.test(found.directory)) {
    throw new UserError(`node_exporter's textfile directory ${found.directory} (${found.source}) is a glob; pass --textfile.directory DIR to choose one directory`, EXIT_CANNOT_RUN);
  }
  return found;
}

function lookUp(q: DirectoryQuery): TextfileDirectory {
  if (q.flag !== undefined) return { directory: q.flag, source: '--textfile.directory' };
  let exporter: NodeExporterProcess | undefined;
  if (q.procfs !== null) {
    const running = findNodeExporters(q.procfs);
    exporter = pickNodeExporter(running, q.port);
    if (exporter === undefined && running.length > 1 && q.port === undefined) throw new UserError(ambiguityMessage(running), EXIT_CANNOT_RUN);
    if (exporter?.textfileDirectory) {
      return { directory: exporter.textfileDirectory, source: `node_exporter pid ${exporter.pid}'s ${exporter.textfileDirectorySource}`, exporter };
    }
  }
  const defaults = path.join(q.rootfs, NODE_EXPORTER_DEFAULTS);
  const text = readTextOrNull(defaults);
  const configured = text === null ? null : parseNodeExporterDefaults(text);
  const found =
    configured !== null ? { directory: configured, source: `ARGS in ${defaults}` } : { directory: DEFAULT_TEXTFILE_DIRECTORY, source: "the Debian package's default" };
  return exporter === undefined ? found : { ...found, exporter };
}
