/**
 * Pi 5 family PMIC rails from `vcgencmd pmic_read_adc` (one process for all rails). Boards before
 * the Pi 5 have no such PMIC: the collector succeeds there with no samples and starts nothing.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

export interface PmicReading {
  rail: string;
  kind: 'current' | 'volt';
  channel: number;
  value: number;
}

/**
 * PURE: `vcgencmd pmic_read_adc` output, one channel per line, name right-aligned:
 * `  VDD_CORE_A current(7)=6.22421000A` (amperes) and `     EXT5V_V volt(24)=5.09066000V` (volts).
 * `rail` is the name without its `_A`/`_V` suffix.
 */
export function parsePmicReadAdc(text: string): PmicReading[] {
  const readings: PmicReading[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\s*([A-Za-z0-9_]+)_(A|V) (current|volt)\((\d+)\)=(\d+(?:\.\d+)?)(A|V)\s*$/.exec(line);
    if (!m || (m[3] === 'current') !== (m[2] === 'A') || m[2] !== m[6]) {
      throw new UnexpectedOutputError('vcgencmd pmic_read_adc', line.trim());
    }
    readings.push({ rail: m[1]!, kind: m[3] as 'current' | 'volt', channel: Number(m[4]), value: Number(m[5]) });
  }
  if (readings.length === 0) throw new UnexpectedOutputError('vcgencmd pmic_read_adc', text.trim());
  return readings;
}

export default defineCollector({
  name: 'pmic',
  description: 'Pi 5, 500 and CM5 PMIC rail voltages and currents, from `vcgencmd pmic_read_adc`; 1 process there, none on earlier boards',
  // The Pi 5 family (5, 500, CM5, all BCM2712) is the only one with the PMIC pmic_read_adc reads.
  appliesTo: (board) => board.processor === 'BCM2712',
  metrics: [
    { name: 'rpi_pmic_voltage_volts', help: 'Rail voltage measured by the Pi 5 PMIC ADC.', unit: 'volts', labels: ['rail'] },
    { name: 'rpi_pmic_current_amperes', help: 'Rail current measured by the Pi 5 PMIC ADC.', unit: 'amperes', labels: ['rail'] },
  ],
  async collect(ctx, emit) {
    for (const r of await ctx.vcgencmd(['pmic_read_adc'], parsePmicReadAdc)) {
      emit(r.kind === 'volt' ? 'rpi_pmic_voltage_volts' : 'rpi_pmic_current_amperes', { rail: r.rail }, r.value);
    }
  },
});
