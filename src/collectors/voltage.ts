/**
 * Rail voltages from `vcgencmd measure_volts <rail>`. The core voltage moves with DVFS and is read
 * every run; the SDRAM rails are set by the firmware at boot (config.txt over_voltage_sdram*), so
 * they are read once per boot.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

const RAILS = ['core', 'sdram_c', 'sdram_i', 'sdram_p'] as const;
const PER_BOOT = new Set<string>(['sdram_c', 'sdram_i', 'sdram_p']);

/** PURE: `vcgencmd measure_volts <rail>` output, `volt=1.2000V`, volts. */
export function parseMeasureVolts(text: string, rail = '<rail>'): number {
  const m = /^volt=(\d+(?:\.\d+)?)V$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError(`vcgencmd measure_volts ${rail}`, text.trim());
  return Number(m[1]);
}

export default defineCollector({
  name: 'voltage',
  description: 'core voltage every run, SDRAM rail voltages once per boot, from `vcgencmd measure_volts RAIL`; 1 process (4 on the first run after boot)',
  metrics: [{ name: 'rpi_voltage_volts', help: 'Rail voltage reported by the firmware (vcgencmd measure_volts).', unit: 'volts', labels: ['rail'] }],
  async collect(ctx, emit) {
    const readings = await Promise.all(
      RAILS.map(async (rail) => [rail, await ctx.vcgencmd(['measure_volts', rail], (t) => parseMeasureVolts(t, rail), { perBoot: PER_BOOT.has(rail) })] as const),
    );
    for (const [rail, volts] of readings) emit('rpi_voltage_volts', { rail }, volts);
  },
});
