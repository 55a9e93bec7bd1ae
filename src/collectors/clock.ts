/**
 * Measured clock frequencies from `vcgencmd measure_clock <clock>`, one process per clock.
 *
 * The firmware counts pulses for 1 ms and multiplies by 1000, so +-1 kHz jitter is normal
 * (raspberrypi/firmware#656). 0 is a real reading: idle blocks (v3d, h264, ...) are powered down.
 * The number in parentheses is a firmware clock id that changed between releases; it is not used.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

export const CLOCKS = ['arm', 'core', 'h264', 'isp', 'v3d', 'uart', 'pwm', 'emmc', 'pixel', 'vec', 'hdmi', 'dpi'] as const;
/**
 * Read every run by default: the ARM clock, which DVFS, frequency capping and throttling move.
 * `core` is not, though it costs the same process: in every capture it reads its configured
 * value (pi3b 525 MHz, pi3bplus 400 MHz, pi4b 550 MHz), which firmware_config reports once per
 * boot as core_freq, and it leaves that value only when throttled, which get_throttled reports.
 * `--collector.clock.clocks=arm,core` brings it back.
 */
const DEFAULT_CLOCKS: readonly string[] = ['arm'];

/**
 * PURE: the --collector.clock.clocks value: clock names, comma-separated, or `all`. Each clock is
 * measured once however often it is named.
 */
export function parseClockList(text: string): string[] {
  const clocks = text.trim() === 'all' ? [...CLOCKS] : text.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const unknown = clocks.filter((c) => !(CLOCKS as readonly string[]).includes(c));
  if (unknown.length > 0 || clocks.length === 0) throw new Error(`unknown clock ${unknown.join(', ') || '(none given)'}; choose from ${CLOCKS.join(', ')} or all`);
  return [...new Set(clocks)];
}

/** PURE: `vcgencmd measure_clock <clock>` output, `frequency(48)=2000478464`, Hz. */
export function parseMeasureClock(text: string, clock = '<clock>'): number {
  const m = /^frequency\(\d+\)=(\d+)$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError(`vcgencmd measure_clock ${clock}`, text.trim());
  return Number(m[1]);
}

export default defineCollector({
  name: 'clock',
  description: 'measured clocks, from `vcgencmd measure_clock CLOCK`; 1 process per clock',
  options: {
    clocks: {
      help: `clocks to measure, comma-separated, or "all" (${CLOCKS.join(', ')}); each costs one vcgencmd process per run`,
      default: DEFAULT_CLOCKS.join(','),
      parse: parseClockList,
    },
  },
  metrics: [{ name: 'rpi_clock_frequency_hertz', help: 'Clock frequency measured by the firmware.', unit: 'hertz', labels: ['clock'] }],
  async collect(ctx, emit, options) {
    const readings = await Promise.all(
      options.clocks.map(async (clock) => [clock, await ctx.vcgencmd(['measure_clock', clock], (t) => parseMeasureClock(t, clock))] as const),
    );
    for (const [clock, hertz] of readings) emit('rpi_clock_frequency_hertz', { clock }, hertz);
  },
});
