/**
 * The collector framework. A collector is one plain object that declares everything about its
 * piece of hardware: its name, which boards have that hardware (`appliesTo`), its options (the
 * `--collector.NAME.OPTION` flags are generated from them), its metrics with their units (the
 * name's suffix must match the unit), and a `collect` that reads through its context only, with
 * `emit` typed by the metrics it declared.
 *
 * `runCollectors` runs the enabled collectors concurrently and isolates their failures: a
 * collector that throws contributes no samples at all (not even those it emitted before failing),
 * its `pi_textfile_collector_success` is 0, and its error is reported once. Bad data fails only
 * its collector: a duplicate series is such a failure. A collector whose hardware is absent (not
 * a Pi, or `appliesTo` says no) succeeds with no samples and starts nothing.
 */
import type { Board } from './board';
import { checkLabelName, checkMetricName, type MetricFamily } from './exposition';
import { CollectorDataError } from './errors';
import type { Files } from './host';
import { ExpectedError } from '../lib/errors';

/**
 * A metric's unit: a base unit, as Prometheus names it, that is also the name's last word
 * (`celsius`, `hertz`, `volts`, `amperes`, `watts`, `bytes`, `seconds`, `ratio`, or any other a
 * collector needs, such as `rpm`: a lower-case word), or one of the unitless kinds `info` (text
 * facts in labels, value 1), `boolean` (0 or 1) and `number` (a count or code without unit).
 */
export type Unit = 'info' | 'boolean' | 'number' | 'celsius' | 'hertz' | 'volts' | 'amperes' | 'watts' | 'bytes' | 'seconds' | 'ratio' | (string & Record<never, never>);
/** Words a unitless metric's name must not end in: they would say it has a unit. */
const UNIT_WORDS = ['celsius', 'hertz', 'volts', 'amperes', 'watts', 'bytes', 'seconds', 'ratio', 'info', 'total', 'rpm', 'percent', 'meters', 'grams', 'joules'];

export interface MetricSpec<N extends string = string, L extends string = string> {
  readonly name: N;
  readonly help: string;
  readonly unit: Unit;
  readonly labels: readonly L[];
}

/**
 * Throws unless `name` carries its unit as Prometheus expects: `_<unit>` for base units and info
 * metrics, and no unit word at all for booleans and plain numbers.
 */
export function checkMetricUnit(spec: MetricSpec): void {
  const last = spec.name.slice(spec.name.lastIndexOf('_') + 1);
  if (spec.unit === 'boolean' || spec.unit === 'number') {
    if (UNIT_WORDS.includes(last)) throw new Error(`${spec.name}: a ${spec.unit} metric must not end in _${last}`);
  } else if (!/^[a-z]+$/.test(spec.unit)) {
    throw new Error(`${spec.name}: the unit ${JSON.stringify(spec.unit)} is not a lower-case word`);
  } else if (last !== spec.unit) {
    throw new Error(`${spec.name}: a metric in ${spec.unit} must end in _${spec.unit}`);
  }
}

/** An option of one collector: the flag `--collector.NAME.KEY VALUE`. */
export interface OptionSpec<T> {
  readonly help: string;
  /** The default, as it would be written on the command line. */
  readonly default: string;
  /** Turns the flag's text into the value; throws an Error whose message says what is wrong. */
  parse(text: string): T;
}

type OptionValues<O> = { readonly [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never };

type MetricNamed<M extends readonly MetricSpec[], N> = Extract<M[number], { name: N }>;
/** Emits one sample of a declared metric, with exactly its declared labels. */
export type Emit<M extends readonly MetricSpec[]> = <N extends M[number]['name']>(
  metric: N,
  labels: { readonly [K in MetricNamed<M, N>['labels'][number]]: string },
  value: number,
) => void;

export interface VcgencmdCallOptions {
  /**
   * The answer cannot change before the next boot: reuse one read since this boot. Only an
   * answer that `parse` accepted is kept.
   */
  perBoot?: boolean;
}

/** What a collector may read, and how. Collectors import nothing else that touches the machine. */
export interface CollectContext {
  /** The board, read once per run and shared by every collector. */
  readonly board: Board;
  /** procfs (default /proc), relative paths. */
  readonly proc: Files;
  /** sysfs (default /sys), relative paths. */
  readonly sys: Files;
  /** Runs `vcgencmd ARGS` and parses its answer; a parse error fails the collector. */
  vcgencmd<T>(args: readonly string[], parse: (text: string) => T, opts?: VcgencmdCallOptions): Promise<T>;
}

export interface CollectorSpec<M extends readonly MetricSpec[], O extends Record<string, OptionSpec<unknown>>> {
  /** snake_case; also the file name, the --collector.<name> flag and the collector="<name>" label. */
  readonly name: string;
  /** One sentence for --help and the README: what it reads, from where, and what that costs. */
  readonly description: string;
  /** Default true. */
  readonly defaultEnabled?: boolean;
  /** Which Pis have this hardware (default: every Pi). Never called on a machine that is not a Pi. */
  appliesTo?(board: Board): boolean;
  readonly options?: O;
  readonly metrics: M;
  collect(ctx: CollectContext, emit: Emit<M>, options: OptionValues<O>): Promise<void> | void;
}

/** A registered collector, its metric and option types erased. */
export interface Collector {
  readonly name: string;
  readonly description: string;
  readonly defaultEnabled: boolean;
  readonly options: Readonly<Record<string, OptionSpec<unknown>>>;
  readonly metrics: readonly MetricSpec[];
  appliesTo(board: Board): boolean;
  collect(ctx: CollectContext, emit: Emit<readonly MetricSpec[]>, options: Readonly<Record<string, unknown>>): Promise<void> | void;
}

/**
 * Throws unless a collector's declaration follows the rules: a snake_case name and option names,
 * metric names and labels as node_exporter and Prometheus take them, each metric's unit in its
 * name, and hardware metrics under rpi_. Collectors are code, so this runs in the tests over the
 * whole registry (test/architecture.test.ts), not on every start of collect.
 */
export function checkCollector(c: Pick<Collector, 'name' | 'metrics' | 'options'>): void {
  const snake = /^[a-z][a-z0-9_]*$/;
  if (!snake.test(c.name)) throw new Error(`invalid collector name ${c.name}`);
  for (const m of c.metrics) {
    checkMetricName(m.name);
    checkMetricUnit(m);
    m.labels.forEach(checkLabelName);
    if (!m.name.startsWith('rpi_')) throw new Error(`${m.name}: hardware metrics start with rpi_`);
  }
  for (const key of Object.keys(c.options)) if (!snake.test(key)) throw new Error(`${c.name}: invalid option name ${key}`);
}

export function defineCollector<const M extends readonly MetricSpec[], const O extends Record<string, OptionSpec<unknown>> = Record<never, never>>(
  spec: CollectorSpec<M, O>,
): Collector {
  return {
    name: spec.name,
    description: spec.description,
    defaultEnabled: spec.defaultEnabled ?? true,
    options: spec.options ?? {},
    metrics: spec.metrics,
    appliesTo: (board) => spec.appliesTo?.(board) ?? true,
    collect: (ctx, emit, options) => spec.collect(ctx, emit as Emit<M>, options as OptionValues<O>),
  };
}

export interface CollectorResult {
  name: string;
  success: boolean;
  durationSeconds: number;
  error?: string;
}

const SUCCESS_METRIC = {
  name: 'pi_textfile_collector_success',
  help: 'Whether the pi-textfile collector succeeded in this run (1) or failed (0). Absent hardware is success with no samples.',
  unit: 'boolean',
  labels: ['collector'],
} as const satisfies MetricSpec;
const DURATION_METRIC = {
  name: 'pi_textfile_collector_duration_seconds',
  help: 'How long the pi-textfile collector took in this run.',
  unit: 'seconds',
  labels: ['collector'],
} as const satisfies MetricSpec;

/** An expected error's message; anything else is a bug and shows its stack. */
function errorMessage(err: unknown): string {
  if (err instanceof Error) return err instanceof ExpectedError ? err.message : `internal error: ${err.stack ?? err.message}`;
  return String(err);
}

export interface Enabled {
  collector: Collector;
  options: Readonly<Record<string, unknown>>;
}

/**
 * Runs collectors concurrently. `board` is read by the caller once; a board that cannot be read
 * fails every collector with that reason. `now` returns seconds (injected so goldens are
 * deterministic). Families come back in declaration order; the renderer sorts them.
 */
export async function runCollectors(
  enabled: readonly Enabled[],
  ctx: Omit<CollectContext, 'board'> & { board: Board | Error },
  now: () => number,
): Promise<{ families: MetricFamily[]; results: CollectorResult[] }> {
  const families = new Map<string, MetricFamily>();
  const family = (def: MetricSpec): MetricFamily => {
    let f = families.get(def.name);
    if (!f) {
      f = { name: def.name, help: def.help, type: 'gauge', labelNames: def.labels, samples: [] };
      families.set(def.name, f);
    }
    return f;
  };

  const results = await Promise.all(
    enabled.map(async ({ collector, options }): Promise<CollectorResult> => {
      const defs = new Map(collector.metrics.map((m) => [m.name, m]));
      const buffered: Array<[MetricSpec, Record<string, string>, number]> = [];
      const seen = new Set<string>();
      const emit: Emit<readonly MetricSpec[]> = (metric, labels, value) => {
        const def = defs.get(metric);
        if (!def) throw new Error(`collector ${collector.name} emitted undeclared metric ${metric}`);
        const given = Object.keys(labels);
        if (given.length !== def.labels.length || !def.labels.every((l) => l in labels)) {
          throw new Error(`collector ${collector.name}: ${metric} needs labels {${def.labels.join(',')}}, got {${given.join(',')}}`);
        }
        const key = `${metric}\u0000${def.labels.map((l) => (labels as Record<string, string>)[l]).join('\u0000')}`;
        if (seen.has(key)) {
          const shown = def.labels.map((l) => `${l}="${(labels as Record<string, string>)[l]}"`).join(',');
          throw new CollectorDataError(`the hardware reported ${metric}{${shown}} twice; nothing of this collector was kept`);
        }
        seen.add(key);
        buffered.push([def, labels as Record<string, string>, value]);
      };
      const start = now();
      try {
        if (ctx.board instanceof Error) throw ctx.board;
        if (ctx.board.isPi && collector.appliesTo(ctx.board)) await collector.collect(ctx as CollectContext, emit, options);
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
