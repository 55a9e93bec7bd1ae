/**
 * The firmware's integer settings that decide how fast, how hot and how hungry a Pi runs, from
 * `vcgencmd get_config int` once per boot (config.txt is applied at boot), so that "which of my
 * Pis is overclocked" is one PromQL query:
 *   rpi_firmware_config{setting=~"arm_freq|over_voltage"} != on(...) ...
 * Settings the firmware does not print are at their default and are absent.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

/**
 * The settings reported, each chosen because it differs between a stock and a tuned Pi, or
 * between Pis that should be alike:
 * - clocks, MHz: arm_freq and arm_freq_min (the CPU's top and idle clocks; overclocking raises
 *   arm_freq), core_freq, core_freq_min, gpu_freq, gpu_freq_min, v3d_freq, sdram_freq;
 * - turbo: arm_boost (Pi 4's higher stock clock), force_turbo (no idle clocking, and on older
 *   boards it sets the warranty bit with over_voltage), initial_turbo (seconds at full clock after boot);
 * - voltages: over_voltage and over_voltage_min (core, in 25 mV steps), over_voltage_sdram,
 *   over_voltage_delta (Pi 4 and 5, µV added to the DVFS voltage);
 * - thermal: temp_limit and temp_soft_limit (°C where the firmware throttles);
 * - memory: gpu_mem (MiB for the GPU), total_mem (MiB the firmware sees, total_mem= can cap it);
 * - power: usb_max_current_enable (Pi 5: USB ports allowed 1.6 A instead of 600 mA);
 * - arm_64bit (1: the kernel runs in 64-bit mode).
 * The rest of get_config int (HDMI, framebuffer, UART, interrupt masks, per-chip AVS values) is
 * display or board internals, and per-display entries (`hdmi_group:0=1`) are never reported.
 */
const SETTINGS = [
  'arm_freq', 'arm_freq_min', 'core_freq', 'core_freq_min', 'gpu_freq', 'gpu_freq_min', 'v3d_freq', 'sdram_freq',
  'arm_boost', 'force_turbo', 'initial_turbo',
  'over_voltage', 'over_voltage_min', 'over_voltage_sdram', 'over_voltage_delta',
  'temp_limit', 'temp_soft_limit',
  'gpu_mem', 'total_mem',
  'usb_max_current_enable',
  'arm_64bit',
] as const;

/**
 * PURE: `vcgencmd get_config int` output: one `name=value` per line, values decimal (possibly
 * negative) or `0x` hex; per-display entries are written `name:N=value`. Returns every entry.
 */
export function parseGetConfigInt(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([a-z0-9_]+(?::\d+)?)=(-?\d+|0x[0-9a-fA-F]+)$/.exec(line.trim());
    if (!m) throw new UnexpectedOutputError('vcgencmd get_config int', line.trim());
    out.set(m[1]!, Number(m[2]));
  }
  if (out.size === 0) throw new UnexpectedOutputError('vcgencmd get_config int', text.trim());
  return out;
}

export default defineCollector({
  name: 'firmware_config',
  description: 'the firmware settings that decide clocks, voltages, thermal limits, memory split and USB power (README: which), from `vcgencmd get_config int` once per boot; no process after the first run',
  metrics: [
    {
      name: 'rpi_firmware_config',
      help: 'A firmware setting from config.txt as the firmware applied it at boot (vcgencmd get_config int), in the unit config.txt uses (MHz, MiB, 25 mV steps, degrees Celsius).',
      unit: 'number',
      labels: ['setting'],
    },
  ],
  async collect(ctx, emit) {
    const config = await ctx.vcgencmd(['get_config', 'int'], parseGetConfigInt, { perBoot: true });
    for (const setting of SETTINGS) {
      const value = config.get(setting);
      if (value !== undefined) emit('rpi_firmware_config', { setting }, value);
    }
  },
});
