/**
 * Throttling and under-voltage flags from `vcgencmd get_throttled`.
 *
 * Never pass get_throttled an argument: an argument resets the sticky "has occurred" bits
 * (raspberrypi/documentation PR #1341). Bit layout (raspberrypi documentation, vcgencmd):
 * 0 under-voltage, 1 Arm frequency capped, 2 throttled, 3 soft temperature limit, each "now";
 * bits 16-19 the same conditions "since boot".
 */
import type { Board } from '../framework/board';
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

const CONDITIONS = ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * Types whose boards have no under-voltage detector (pelwell, raspberrypi/linux#2367): Zero,
 * Zero W, Compute Modules 1/3/3+, and the original A and B. They always read 0 there, which is no
 * measurement, so their under_voltage series are left out.
 */
const NO_UNDERVOLTAGE_DETECTOR = new Set(['A', 'B', 'Zero', 'Zero W', 'CM1', 'CM3', 'CM3+']);
const MODELS_WITHOUT_DETECTOR = /^Raspberry Pi (Zero( W)? Rev|Compute Module( 3| Rev)|Model [AB] Rev)\b/;

export function hasUnderVoltageDetector(board: Board): boolean {
  if (board.revision !== null) return !NO_UNDERVOLTAGE_DETECTOR.has(board.revision.type);
  return !MODELS_WITHOUT_DETECTOR.test(board.model);
}

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
  description: 'under-voltage, frequency-capping, throttling and soft-temperature-limit flags, now and since boot, from `vcgencmd get_throttled` (never with an argument: that would clear the since-boot bits); 1 process',
  metrics: [
    {
      name: 'rpi_throttle_condition_active',
      help: 'Whether the firmware reports the condition now (1) or not (0), from vcgencmd get_throttled bits 0-3.',
      unit: 'boolean',
      labels: ['condition'],
    },
    {
      name: 'rpi_throttle_condition_occurred',
      help: 'Whether the condition has occurred since boot (1) or not (0), from vcgencmd get_throttled bits 16-19.',
      unit: 'boolean',
      labels: ['condition'],
    },
  ],
  async collect(ctx, emit) {
    const board = ctx.board;
    const flags = await ctx.vcgencmd(['get_throttled'], parseGetThrottled);
    // Boards without an under-voltage detector always read 0 there: that is no measurement.
    const conditions = CONDITIONS.filter((c) => c !== 'under_voltage' || hasUnderVoltageDetector(board));
    for (const condition of conditions) {
      emit('rpi_throttle_condition_active', { condition }, flags.active[condition] ? 1 : 0);
      emit('rpi_throttle_condition_occurred', { condition }, flags.occurred[condition] ? 1 : 0);
    }
  },
});
