/**
 * Measured clock frequencies from `vcgencmd measure_clock <clock>`, one process per clock.
 *
 * The firmware counts pulses for 1 ms and multiplies by 1000, so +-1 kHz jitter is normal
 * (raspberrypi/firmware#656). 0 is a real reading: idle blocks (v3d, h264, ...) are powered down.
 * The number in parentheses is a firmware clock id that changed between releases; it is not used.
 */
import { defineCollector, UnexpectedOutputError } from '../collector';

export const CLOCKS = ['arm', 'core', 'h264', 'isp', 'v3d', 'uart', 'pwm', 'emmc', 'pixel', 'vec', 'hdmi', 'dpi'] as const;
/** Read every run by default: the clocks that throttling and frequency capping move. */
export const DEFAULT_CLOCKS: readonly string[] = ['arm', 'core'];

/** PURE: `vcgencmd measure_clock <clock>` output, `frequency(48)=2000478464`, Hz. */
export function parseMeasureClock(text: string, clock = '<clock>'): number {
  const m = /^frequency\(\d+\)=(\d+)$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError(`vcgencmd measure_clock ${clock}`, text.trim());
  return Number(m[1]);
}

export default defineCollector({
  name: 'clock',
  description: `measured clocks (vcgencmd measure_clock), one process per clock; choose them with --collector.clock.clocks`,
  defaultEnabled: true,
  metrics: [{ name: 'rpi_clock_frequency_hertz', help: 'Clock frequency measured by the firmware.', labels: ['clock'] }],
  async collect(ctx, emit) {
    if (!ctx.board().isPi) return;
    const readings = await Promise.all(
      ctx.options.clocks.map(async (clock) => [clock, parseMeasureClock(await ctx.vcgencmd(['measure_clock', clock]), clock)] as const),
    );
    for (const [clock, hertz] of readings) emit('rpi_clock_frequency_hertz', { clock }, hertz);
  },
});
