/**
 * The collector framework: a collector is a plain object declaring its metrics and a `collect`
 * function that reads through its context only. `runCollectors` runs the enabled collectors
 * concurrently and isolates their failures: a collector that throws contributes no samples, its
 * `pi_textfile_collector_success` is 0, and its error message is reported once. A collector that
 * finds its hardware absent simply emits nothing and succeeds.
 */
import type { Board } from './board';
import type { Host } from './host';
import { checkLabelName, checkMetricName, type MetricFamily } from './exposition';

export interface MetricDef {
  name: string;
  help: string;
  labels: readonly string[];
}

export interface CollectorOptions {
  /** Clocks for `vcgencmd measure_clock`. */
  clocks: readonly string[];
}

export interface CollectContext {
  host: Host;
  /** The board, read once per run and shared by every collector. */
  board(): Board;
  /** Runs vcgencmd; with `perBoot`, an answer already read since the last boot is reused. */
  vcgencmd(args: readonly string[], opts?: { perBoot?: boolean }): Promise<string>;
  options: CollectorOptions;
}

export type Emit = (metric: string, labels: Record<string, string>, value: number) => void;

export interface Collector {
  /** snake_case; also the --collector.<name> flag and the collector="<name>" label. */
  name: string;
  /** One sentence for --help: what it reads and from where. */
  description: string;
  defaultEnabled: boolean;
  metrics: readonly MetricDef[];
  collect(ctx: CollectContext, emit: Emit): Promise<void> | void;
}

export function defineCollector<C extends Collector>(collector: C): C {
  if (!/^[a-z][a-z0-9_]*$/.test(collector.name)) throw new Error(`invalid collector name ${collector.name}`);
  for (const m of collector.metrics) {
    checkMetricName(m.name);
    m.labels.forEach(checkLabelName);
  }
  return collector;
}

/** Parsers throw this for output they do not recognise. */
export class UnexpectedOutputError extends Error {
  constructor(source: string, text: string) {
    const shown = text.length > 120 ? `${text.slice(0, 120)}...` : text;
    super(`unexpected output from ${source}: ${JSON.stringify(shown)}`);
    this.name = 'UnexpectedOutputError';
  }
}

export interface CollectorResult {
  name: string;
  success: boolean;
  durationSeconds: number;
  error?: string;
}

export const SUCCESS_METRIC: MetricDef = {
  name: 'pi_textfile_collector_success',
  help: 'Whether the pi-textfile collector succeeded in this run (1) or failed (0). Absent hardware is success with no samples.',
  labels: ['collector'],
};
export const DURATION_METRIC: MetricDef = {
  name: 'pi_textfile_collector_duration_seconds',
  help: 'How long the pi-textfile collector took in this run.',
  labels: ['collector'],
};

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const known = ['VcgencmdError', 'HostReadError', 'UnexpectedOutputError'];
    return known.includes(err.name) ? err.message : `internal error: ${err.stack ?? err.message}`;
  }
  return String(err);
}

/**
 * Runs collectors concurrently. `now` returns seconds (injected so goldens are deterministic).
 * Families come back in declaration order; the renderer sorts them.
 */
export async function runCollectors(
  collectors: readonly Collector[],
  ctx: CollectContext,
  now: () => number,
): Promise<{ families: MetricFamily[]; results: CollectorResult[] }> {
  const families = new Map<string, MetricFamily>();
  const family = (def: MetricDef): MetricFamily => {
    let f = families.get(def.name);
    if (!f) {
      f = { name: def.name, help: def.help, type: 'gauge', labelNames: def.labels, samples: [] };
      families.set(def.name, f);
    }
    return f;
  };

  const results = await Promise.all(
    collectors.map(async (collector): Promise<CollectorResult> => {
      const defs = new Map(collector.metrics.map((m) => [m.name, m]));
      const buffered: Array<[MetricDef, Record<string, string>, number]> = [];
      const emit: Emit = (metric, labels, value) => {
        const def = defs.get(metric);
        if (!def) throw new Error(`collector ${collector.name} emitted undeclared metric ${metric}`);
        buffered.push([def, labels, value]);
      };
      const start = now();
      try {
        await collector.collect(ctx, emit);
        for (const [def, labels, value] of buffered) family(def).samples.push({ labels, value });
        return { name: collector.name, success: true, durationSeconds: now() - start };
      } catch (err) {
        return { name: collector.name, success: false, durationSeconds: now() - start, error: errorMessage(err) };
      }
    }),
  );

  for (const r of results) {
    family(SUCCESS_METRIC).samples.push({ labels: { collector: r.name }, value: r.success ? 1 : 0 });
    // Microsecond resolution: more digits are timer noise.
    family(DURATION_METRIC).samples.push({ labels: { collector: r.name }, value: Math.round(r.durationSeconds * 1e6) / 1e6 });
  }
  return { families: [...families.values()], results };
}
