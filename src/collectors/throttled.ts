/**
 * Throttling and under-voltage flags from `vcgencmd get_throttled`.
 *
 * Never pass get_throttled an argument: an argument resets the sticky "has occurred" bits
 * (raspberrypi/documentation PR #1341). Bit layout (raspberrypi documentation, vcgencmd):
 * 0 under-voltage, 1 Arm frequency capped, 2 throttled, 3 soft temperature limit, each "now";
 * bits 16-19 the same conditions "since boot".
 */
import { hasUnderVoltageDetector } from '../board';
import { defineCollector, UnexpectedOutputError } from '../collector';

export const CONDITIONS = ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface ThrottleFlags {
  raw: number;
  active: Record<Condition, boolean>;
  occurred: Record<Condition, boolean>;
}

/** PURE: parses `vcgencmd get_throttled` output, `throttled=0x50005`. */
export function parseGetThrottled(text: string): ThrottleFlags {
  const m = /^throttled=0x([0-9a-fA-F]{1,8})$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError('vcgencmd get_throttled', text.trim());
  const raw = parseInt(m[1]!, 16) >>> 0;
  const active = {} as Record<Condition, boolean>;
  const occurred = {} as Record<Condition, boolean>;
  CONDITIONS.forEach((c, bit) => {
    active[c] = (raw & (1 << bit)) !== 0;
    occurred[c] = (raw & (1 << (bit + 16))) !== 0;
  });
  return { raw, active, occurred };
}

export default defineCollector({
  name: 'throttled',
  description: 'under-voltage, frequency-capping, throttling and soft-temperature-limit flags, now and since boot (vcgencmd get_throttled)',
  defaultEnabled: true,
  metrics: [
    {
      name: 'rpi_throttle_condition_active',
      help: 'Whether the firmware reports the condition now (1) or not (0), from vcgencmd get_throttled bits 0-3.',
      labels: ['condition'],
    },
    {
      name: 'rpi_throttle_condition_occurred',
      help: 'Whether the condition has occurred since boot (1) or not (0), from vcgencmd get_throttled bits 16-19.',
      labels: ['condition'],
    },
  ],
  async collect(ctx, emit) {
    const board = ctx.board();
    if (!board.isPi) return;
    const flags = parseGetThrottled(await ctx.vcgencmd(['get_throttled']));
    // Boards without an under-voltage detector always read 0 there: that is no measurement.
    const conditions = CONDITIONS.filter((c) => c !== 'under_voltage' || hasUnderVoltageDetector(board));
    for (const condition of conditions) {
      emit('rpi_throttle_condition_active', { condition }, flags.active[condition] ? 1 : 0);
      emit('rpi_throttle_condition_occurred', { condition }, flags.occurred[condition] ? 1 : 0);
    }
  },
});
