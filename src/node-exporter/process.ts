/**
 * Running node_exporters, found by their command lines in /proc, and the one rule that picks the
 * one pi-textfile serves.
 */
import * as fs from 'node:fs';
import { readTextOrNull } from '../framework/host';
import * as path from 'node:path';
import fg from 'fast-glob';
import { splitHostPort } from '../lib/address';
import { DEFAULT_TEXTFILE_DIRECTORY } from './defaults';

/** Program names of node_exporter: Debian's package, and the upstream release binary. */
const NODE_EXPORTER_NAMES = ['prometheus-node-exporter', 'node_exporter'];
export const DEFAULT_PORT = 9100;

export interface NodeExporterProcess {
  pid: number;
  argv: string[];
  /** --collector.textfile.directory, or the build's default (Debian: /var/lib/prometheus/node-exporter; upstream: none). */
  textfileDirectory: string | null;
  /** Whether the directory came from the command line or is the build's default. */
  textfileDirectorySource: 'command line' | 'built-in default' | 'none';
  /** --no-collector.textfile, or --collector.disable-defaults without --collector.textfile. */
  textfileDisabled: boolean;
  /** Port of --web.listen-address (default 9100). */
  port: number;
}

/** The value of a kingpin flag written as `--flag=value` or `--flag value`; the last one wins. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  args.forEach((a, i) => {
    if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
    else if (a === flag && i + 1 < args.length) value = args[i + 1];
  });
  return value;
}

/** PURE: what a node_exporter command line says about its textfile collector and port. */
function parseNodeExporterArgv(pid: number, argv: readonly string[]): NodeExporterProcess {
  const args = argv.slice(1);
  const debian = path.basename(argv[0] ?? '') === 'prometheus-node-exporter';
  const dir = flagValue(args, '--collector.textfile.directory');
  const has = (flag: string): boolean => args.includes(flag);
  const textfileDisabled = has('--no-collector.textfile') || (has('--collector.disable-defaults') && !has('--collector.textfile'));
  const listen = flagValue(args, '--web.listen-address') ?? `:${DEFAULT_PORT}`;
  const port = splitHostPort(listen).port ?? DEFAULT_PORT;
  return {
    pid,
    argv: [...argv],
    textfileDirectory: dir ?? (debian ? DEFAULT_TEXTFILE_DIRECTORY : null),
    textfileDirectorySource: dir !== undefined ? 'command line' : debian ? 'built-in default' : 'none',
    textfileDisabled,
    port,
  };
}

/**
 * Regular login accounts (Debian policy: 1000-59999). A node_exporter is a system service: one run
 * by such an account, or from an executable a user could have written, may be anyone's
 * impostor, with any --collector.textfile.directory, so it is never believed.
 */
const LOGIN_UIDS = { min: 1000, max: 59999 };

/**
 * Whether process `pid` is a node_exporter by what argv[0] cannot fake: its executable
 * (/proc/PID/exe) has a node_exporter name and belongs to root (or to the user running
 * pi-textfile), is writable by no one else, and the process runs as a system account (or as
 * that same user).
 */
function genuine(procfs: string, pid: string, self: number): boolean {
  try {
    const exe = fs.readlinkSync(path.join(procfs, pid, 'exe')).replace(/ \(deleted\)$/, '');
    if (!NODE_EXPORTER_NAMES.includes(path.basename(exe))) return false;
    const binary = fs.statSync(path.join(procfs, pid, 'exe'));
    if ((binary.uid !== 0 && binary.uid !== self) || (binary.mode & 0o022) !== 0) return false;
    const owner = fs.statSync(path.join(procfs, pid)).uid;
    return owner === self || owner < LOGIN_UIDS.min || owner > LOGIN_UIDS.max;
  } catch {
    return false;
  }
}

/**
 * Every running node_exporter, from /proc/PID/cmdline, checked by its executable and owner (see
 * genuine). Processes that vanish meanwhile are skipped.
 */
export function findNodeExporters(procfs = '/proc', self = process.getuid?.() ?? 0): NodeExporterProcess[] {
  const found: NodeExporterProcess[] = [];
  for (const entry of fg.sync('[0-9]*/cmdline', { cwd: procfs, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true })) {
    const raw = readTextOrNull(path.join(procfs, entry));
    if (raw === null) continue;
    const argv = raw.split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    if (argv.length === 0 || !NODE_EXPORTER_NAMES.includes(path.basename(argv[0]!))) continue;
    if (!genuine(procfs, entry.split('/')[0]!, self)) continue;
    found.push(parseNodeExporterArgv(Number(entry.split('/')[0]), argv));
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/**
 * PURE: the node_exporter that pi-textfile serves: the one on `port` when a port is asked for,
 * else the only one running, else the one on the default port 9100 (undefined if none is).
 */
export function pickNodeExporter(running: readonly NodeExporterProcess[], port?: number): NodeExporterProcess | undefined {
  if (port !== undefined) return running.find((p) => p.port === port);
  return running.length === 1 ? running[0] : running.find((p) => p.port === DEFAULT_PORT);
}

/**
 * PURE: why no node_exporter could be picked among several: what collect, install and doctor all
 * say, and how to choose (each of them takes --textfile.directory; doctor also --node-exporter.url).
 */
export function ambiguityMessage(running: readonly NodeExporterProcess[]): string {
  return (
    `${running.length} node_exporters are running (${running.map((p) => `pid ${p.pid} on port ${p.port}`).join(', ')}), none on port ${DEFAULT_PORT}; ` +
    'say which one pi-textfile serves: pass --textfile.directory DIR (doctor: --node-exporter.url URL)'
  );
}
