/**
 * `pi-textfile collect`: its flags, declared once (COLLECT_FLAGS, and the per-collector ones
 * generated from the registry), parsed by a small parser of its own, so that collect's start-up
 * never evaluates commander; collect-help.ts declares the same list to commander for --help.
 */
import { COLLECTORS } from '../collectors/index';
import { defaultCollectDeps, runCollect, type CollectDeps, type CollectOptions } from '../commands/collect';
import type { Io, StopSignal } from '../lib/io';
import { EXIT_INVALID, UserError } from '../lib/errors';
import type { VcgencmdRunner } from '../framework/vcgencmd';
import { durationFlag, type Raw } from './common';

/** Turns commander's raw values into CollectOptions; throws UserError (exit 1) for bad values. */
export function collectOptionsFrom(raw: Raw): CollectOptions {
  const name = raw['textfile.name'] as string;
  if (name.length <= '.prom'.length || !name.endsWith('.prom') || name.includes('/') || name.includes('\0') || name.startsWith('.')) {
    throw new UserError(`--textfile.name ${JSON.stringify(name)} must be a plain file name ending in .prom (node_exporter reads only *.prom)`, EXIT_INVALID);
  }
  const dir = raw['textfile.directory'] as string | undefined;
  if (dir === '') throw new UserError('--textfile.directory must not be empty', EXIT_INVALID);
  const byDefault = raw['collector.disableDefaults'] !== true;
  const collectors = COLLECTORS.filter((c) => (raw[`collector.${c.name}`] as boolean | undefined) ?? (byDefault && c.defaultEnabled)).map((collector) => {
    const options: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(collector.options)) {
      const flag = `collector.${collector.name}.${key}`;
      try {
        options[key] = spec.parse(String(raw[flag] ?? spec.default));
      } catch (err) {
        throw new UserError(`--${flag}: ${(err as Error).message}`, EXIT_INVALID);
      }
    }
    return { collector, options };
  });
  return {
    once: raw.once === true || raw.stdout === true,
    stdout: raw.stdout === true,
    textfileDirectory: dir,
    textfileName: name,
    paths: { procfs: raw['path.procfs'] as string, sysfs: raw['path.sysfs'] as string, rootfs: raw['path.rootfs'] as string },
    vcgencmd: raw.vcgencmd as string | undefined,
    vcgencmdTimeoutMs: durationFlag(raw['vcgencmd.timeout'], '--vcgencmd.timeout', 100, 5 * 60_000),
    intervalMs: durationFlag(raw.interval, '--interval', 1000, 86_400_000),
    collectors,
  };
}

/** Collect's defaults, for both its parser here and its --help (collect-help.ts). */
export const COLLECT_DEFAULTS = {
  interval: '30s',
  'textfile.name': 'pi-textfile.prom',
  'path.procfs': '/proc',
  'path.sysfs': '/sys',
  'path.rootfs': '/',
  'vcgencmd.timeout': '5s',
} as const;

/**
 * One of collect's flags: its name without the dashes, the word its value is shown as in --help
 * (none for a switch), its default and its help. This list serves both the parser below and
 * commander's --help (collect-help.ts).
 */
export interface CollectFlag {
  readonly name: string;
  readonly value?: string;
  readonly default?: string;
  readonly help: string;
}

export const COLLECT_FLAGS: readonly CollectFlag[] = [
  { name: 'once', help: 'collect once and exit (what a systemd timer or cron runs); without it, collect every --interval' },
  { name: 'stdout', help: 'print the metrics on standard output instead of writing a file (implies --once)' },
  { name: 'interval', value: 'duration', default: COLLECT_DEFAULTS.interval, help: 'period of the long-running mode' },
  {
    name: 'textfile.directory',
    value: 'dir',
    help: "directory node_exporter reads (default: the running node_exporter's --collector.textfile.directory, else the one in /etc/default/prometheus-node-exporter, else /var/lib/prometheus/node-exporter)",
  },
  { name: 'textfile.name', value: 'name', default: COLLECT_DEFAULTS['textfile.name'], help: 'file name in that directory; must end in .prom' },
  { name: 'path.procfs', value: 'dir', default: COLLECT_DEFAULTS['path.procfs'], help: 'procfs mount point' },
  { name: 'path.sysfs', value: 'dir', default: COLLECT_DEFAULTS['path.sysfs'], help: 'sysfs mount point' },
  {
    name: 'path.rootfs',
    value: 'dir',
    default: COLLECT_DEFAULTS['path.rootfs'],
    help: "root file system mount point: where /etc/default/prometheus-node-exporter and node_exporter's default directory are found",
  },
  { name: 'vcgencmd', value: 'path', help: 'vcgencmd to run (default: vcgencmd on PATH, then /usr/bin/vcgencmd, /opt/vc/bin/vcgencmd)' },
  { name: 'vcgencmd.timeout', value: 'duration', default: COLLECT_DEFAULTS['vcgencmd.timeout'], help: 'time limit for each vcgencmd call; on expiry it is killed' },
  { name: 'collector.disable-defaults', help: 'enable only the collectors named with --collector.NAME (as in node_exporter)' },
];

/**
 * The flags each registered collector adds: --collector.NAME, --no-collector.NAME and
 * --collector.NAME.OPTION, their help from its declaration.
 */
export function collectorFlags(): CollectFlag[] {
  return COLLECTORS.flatMap((c) => [
    { name: `collector.${c.name}`, help: `enable the ${c.name} collector: ${c.description}${c.defaultEnabled ? ' (default: enabled)' : ''}` },
    { name: `no-collector.${c.name}`, help: `disable the ${c.name} collector` },
    ...Object.entries(c.options).map(([key, spec]) => ({ name: `collector.${c.name}.${key}`, value: 'value', default: spec.default, help: spec.help })),
  ]);
}

/**
 * PURE: collect's arguments (after `collect`) as the raw values collectOptionsFrom takes, the
 * same commander gives: defaults filled in, `--collector.X` / `--no-collector.X` the last one
 * winning, a value after its flag or after `=`. Throws UserError (exit 1) with one line for an
 * unknown flag, a missing value, a value given to a switch, or an argument that is no flag.
 * Hand-written: node:util's parseArgs took 0.8 ms of a run's CPU profile to load and set up.
 */
export function parseCollectArgv(argv: readonly string[]): Raw {
  const flags = new Map([...COLLECT_FLAGS, ...collectorFlags()].map((f) => [f.name, f]));
  const raw: Raw = {};
  for (const [name, f] of flags) if (f.default !== undefined) raw[name] = f.default;
  const refuse = (what: string): never => {
    throw new UserError(`${what} (see pi-textfile collect --help)`, EXIT_INVALID);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (i + 1 < argv.length) refuse(`unexpected argument '${argv[i + 1]}'`);
      break;
    }
    if (!arg.startsWith('--')) refuse(arg.startsWith('-') && arg !== '-' ? `unknown option '${arg}'` : `unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = flags.get(name) ?? refuse(`unknown option '--${name}'`);
    if (flag.value === undefined) {
      if (eq >= 0) refuse(`option '--${name}' does not take an argument`);
      if (name.startsWith('no-collector.')) raw[name.slice(3)] = false;
      else if (name === 'collector.disable-defaults') raw['collector.disableDefaults'] = true;
      else raw[name] = true;
    } else if (eq >= 0) {
      raw[name] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length) {
      raw[name] = argv[++i]!;
    } else {
      refuse(`option '--${name}' argument missing`);
    }
  }
  return raw;
}

/** A StopSignal and its trigger: what an AbortController gives, without loading one. */
function createStopSignal(): StopSignal & { readonly reason: string | undefined; stop(reason: string): void } {
  const listeners = new Set<() => void>();
  const self = {
    aborted: false,
    reason: undefined as string | undefined,
    addEventListener: (_type: 'abort', listener: () => void) => void listeners.add(listener),
    removeEventListener: (_type: 'abort', listener: () => void) => void listeners.delete(listener),
    stop(reason: string) {
      if (self.aborted) return;
      self.aborted = true;
      self.reason = reason;
      for (const l of [...listeners]) l();
    },
  };
  return self;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Runs collect with parsed flags: the stop signals end the loop and every vcgencmd still running. */
export async function runCollectCommand(raw: Raw, io: Io, deps: Partial<CollectDeps>): Promise<number> {
  const opts = collectOptionsFrom(raw);
  // A stop request ends the loop, lets no further vcgencmd start, and writes nothing more.
  const stopSignal = createStopSignal();
  let runner: VcgencmdRunner | undefined;
  const stop = (name: string): void => {
    stopSignal.stop(name);
    runner?.stop();
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    const code = await runCollect(opts, io, {
      ...defaultCollectDeps(),
      signal: stopSignal,
      onRunner: (r) => {
        runner = r;
      },
      ...deps,
    });
    // A single run asked to stop says so by its exit code (and by a line, runCollect's).
    return stopSignal.reason !== undefined && opts.once ? SIGNAL_EXIT[stopSignal.reason]! : code;
  } finally {
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGINT', onInt);
  }
}
