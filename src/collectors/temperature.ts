/**
 * SoC temperature. sysfs first: the thermal zone whose type is `cpu-thermal` (current kernels) or
 * `bcm2835_thermal` (older ones), in millidegrees Celsius. Only when a Pi has no such zone does it
 * start `vcgencmd measure_temp`.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';
import { classDevices } from '../framework/sysfs';

const SOC_ZONE_TYPES = new Set(['cpu-thermal', 'bcm2835_thermal', 'cpu_thermal']);

/** PURE: /sys/class/thermal/thermal_zoneN/temp, millidegrees Celsius, e.g. "46300\n" -> 46.3. */
export function parseThermalZoneTemp(text: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new UnexpectedOutputError('thermal zone temp', t);
  return Number(t) / 1000;
}

/** PURE: `vcgencmd measure_temp` output, `temp=39.2'C`, degrees Celsius. */
export function parseMeasureTemp(text: string): number {
  const m = /^temp=(-?\d+(?:\.\d+)?)'C$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError('vcgencmd measure_temp', text.trim());
  return Number(m[1]);
}

export default defineCollector({
  name: 'temperature',
  description: "SoC temperature from the SoC's thermal zone in sysfs (`cpu-thermal`); `vcgencmd measure_temp` (1 process) only where there is none",
  metrics: [{ name: 'rpi_soc_temperature_celsius', help: 'SoC temperature.', unit: 'celsius', labels: [] }],
  async collect(ctx, emit) {
    for (const zone of classDevices(ctx.sys, 'thermal', 'thermal_zone', 'type', SOC_ZONE_TYPES)) {
      const temp = ctx.sys.text(`${zone}/temp`);
      if (temp === null) continue;
      emit('rpi_soc_temperature_celsius', {}, parseThermalZoneTemp(temp));
      return;
    }
    emit('rpi_soc_temperature_celsius', {}, await ctx.vcgencmd(['measure_temp'], parseMeasureTemp));
  },
});
