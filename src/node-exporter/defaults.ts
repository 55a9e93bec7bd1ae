/**
 * Debian's prometheus-node-exporter: where its textfile collector reads by default, and the
 * defaults file whose ARGS may move it. Shared by collect, install and doctor.
 */

export const DEFAULT_TEXTFILE_DIRECTORY = '/var/lib/prometheus/node-exporter';
export const NODE_EXPORTER_DEFAULTS = '/etc/default/prometheus-node-exporter';

/**
 * PURE: the value of --collector.textfile.directory in the ARGS of a Debian
 * /etc/default/prometheus-node-exporter, or null if it is not set there.
 */
export function parseNodeExporterDefaults(text: string): string | null {
  let args: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?ARGS=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/.exec(line);
    if (m) args = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  if (args === null) return null;
  const words = args.split(/\s+/).filter((w) => w !== '');
  let dir: string | null = null;
  words.forEach((w, i) => {
    if (w.startsWith('--collector.textfile.directory=')) dir = w.slice('--collector.textfile.directory='.length);
    else if (w === '--collector.textfile.directory' && words[i + 1] !== undefined) dir = words[i + 1]!;
  });
  return dir === null ? null : (dir as string).replace(/^(["'])(.*)\1$/, '$2');
}
