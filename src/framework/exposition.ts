/**
 * PURE: metric families -> Prometheus text exposition format 0.0.4, as node_exporter's textfile
 * collector (v1.5) reads it.
 *
 * Guarantees, each one a rule node_exporter or promtool enforces:
 * - HELP and TYPE once per family, before its samples, families contiguous and sorted by name;
 * - samples sorted by their label values, so output is stable run to run;
 * - label values escaped (\\, \", \n), HELP escaped (\\, \n);
 * - no timestamps, `\n` line endings and a final newline;
 * - names and label names checked: legacy charset, no `:`, no `__` prefix (node_exporter 1.5
 *   panics on those), no `instance`/`job` (Prometheus would rename them).
 * Duplicate series are a programming error and throw.
 */

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  /** Label names in output order. Every sample has exactly these labels. */
  labelNames: readonly string[];
  samples: Sample[];
}

/** Metric and label names alike, without `:` (node_exporter 1.5's textfile collector panics on it). */
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['instance', 'job', 'le', 'quantile']);

export function checkMetricName(name: string): void {
  if (!NAME.test(name) || name.startsWith('__')) {
    throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  }
}

export function checkLabelName(name: string): void {
  if (!NAME.test(name) || name.startsWith('__') || RESERVED_LABELS.has(name)) {
    throw new Error(`invalid label name ${JSON.stringify(name)}`);
  }
}

// Nearly every value needs no escape: they are checked first, so that a run with nothing to
// escape compiles no pattern for it.
export function escapeLabelValue(value: string): string {
  if (!value.includes('\\') && !value.includes('"') && !value.includes('\n')) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

export function escapeHelp(help: string): string {
  if (!help.includes('\\') && !help.includes('\n')) return help;
  return help.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** Go's ParseFloat spelling: NaN, +Inf, -Inf, else the shortest round-trip decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function renderExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const sorted = families
    .filter((f) => f.samples.length > 0)
    .slice()
    .sort((a, b) => compareStrings(a.name, b.name));
  let out = '';
  for (const family of sorted) {
    checkMetricName(family.name);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} rendered twice`);
    seen.add(family.name);
    family.labelNames.forEach(checkLabelName);
    const lines: Array<[string, string]> = [];
    const keys = new Set<string>();
    for (const sample of family.samples) {
      const names = Object.keys(sample.labels);
      if (names.length !== family.labelNames.length || !family.labelNames.every((n) => n in sample.labels)) {
        throw new Error(`${family.name}: sample labels {${names.join(',')}} do not match {${family.labelNames.join(',')}}`);
      }
      const values = family.labelNames.map((n) => sample.labels[n] as string);
      const key = values.join('\u0000');
      if (keys.has(key)) throw new Error(`${family.name}: duplicate series {${values.join(',')}}`);
      keys.add(key);
      const labelText = family.labelNames.length
        ? `{${family.labelNames.map((n, i) => `${n}="${escapeLabelValue(values[i] as string)}"`).join(',')}}`
        : '';
      lines.push([key, `${family.name}${labelText} ${formatValue(sample.value)}\n`]);
    }
    lines.sort((a, b) => compareStrings(a[0], b[0]));
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const [, line] of lines) out += line;
  }
  return out;
}
