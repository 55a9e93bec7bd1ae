/**
 * Every file gen-config writes, as one table: each renderer exports its rows (path, when the
 * description asks for it, how to render it, how to recognise it as gen-config's), and this list
 * puts them in the order they are written and reported.
 */
import { ALERTMANAGER_FILES } from './alertmanager';
import type { Cluster } from './cluster';
import { FLEET_FILES } from './fleet';
import { GRAFANA_FILES } from './grafana';
import { NODE_EXPORTER_FILES } from './node-exporter';
import { PROMETHEUS_FILES } from './prometheus';
import { RULES_FILES } from './rules';
import type { OutputFile } from './toolbox';

export const OUTPUTS: readonly OutputFile[] = [
  ...PROMETHEUS_FILES,
  ...RULES_FILES,
  ...NODE_EXPORTER_FILES,
  ...FLEET_FILES,
  ...ALERTMANAGER_FILES,
  ...GRAFANA_FILES,
];

/** PURE: every file a description asks for, by its path under --out, in OUTPUTS' order. */
export function renderFiles(c: Cluster, source: string): Array<[string, string]> {
  return OUTPUTS.filter((row) => row.when(c)).flatMap((row): Array<[string, string]> => {
    const out = row.render(c, source);
    return typeof out === 'string' ? [[row.path as string, out]] : out;
  });
}

/** The row a path under --out belongs to, if gen-config writes such a file at all. */
export function rowOf(name: string): OutputFile | undefined {
  return OUTPUTS.find((row) => (typeof row.path === 'string' ? row.path === name : row.path.test(name)));
}
