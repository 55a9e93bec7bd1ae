/**
 * Bootloader EEPROM version, build and update times on the boards that have one: the Pi 4 and
 * Pi 5 families. The firmware puts them in the device tree (/proc/device-tree/chosen/bootloader/:
 * `version`, `build-timestamp`, `update-timestamp`), which is read first, with no process;
 * Raspberry Pi's own tools prefer it too (rpi-eeprom PR #273, #850). Where the device tree lacks
 * them (older firmware), `vcgencmd bootloader_version` is run once per boot instead. Other
 * boards: success with no samples, nothing started.
 */
import { parseDeviceTreeString, readDeviceTreeU32 } from '../framework/board';
import { defineCollector, type CollectContext } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';
import { VcgencmdError } from '../framework/vcgencmd';
import { parseFirmwareDate } from './firmware';

export interface BootloaderVersion {
  date: string;
  version: string;
  /** Build time, Unix seconds (absent on early bootloaders). */
  timestamp?: number;
  /** When the EEPROM was last written, Unix seconds. */
  updateTime?: number;
}

/**
 * PURE: `vcgencmd bootloader_version` output: a date line, `version <sha1> (release)`,
 * `timestamp <unix>`, `update-time <unix>`, `capabilities 0x...`.
 */
export function parseBootloaderVersion(text: string): BootloaderVersion {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const date = lines[0] === undefined ? null : parseFirmwareDate(lines[0]);
  const version = lines.map((l) => /^version ([0-9a-f]{7,40})\b/.exec(l)?.[1]).find((v) => v !== undefined);
  if (date === null || version === undefined) throw new UnexpectedOutputError('vcgencmd bootloader_version', text.trim());
  const out: BootloaderVersion = { date, version };
  for (const l of lines) {
    const n = /^(timestamp|update-time) (\d+)$/.exec(l);
    if (n?.[1] === 'timestamp') out.timestamp = Number(n[2]);
    if (n?.[1] === 'update-time') out.updateTime = Number(n[2]);
  }
  return out;
}

/**
 * PURE: a Unix time as the ISO 8601 date the `date` label carries, in UTC (the device tree says
 * only the timestamp; vcgencmd's date line is the builder's local time, an hour off on one Pi 5).
 */
export function isoUtc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** Both spellings: the capture has `build-timestamp`, the documentation writes `build_timestamp`. */
function readU32(ctx: CollectContext, name: string): number | null {
  for (const spelling of [name, name.replace('-', '_')]) {
    const value = readDeviceTreeU32(ctx.proc, `chosen/bootloader/${spelling}`);
    if (value !== null) return value;
  }
  return null;
}

/** The bootloader as the device tree gives it, or null where it has no version and build time. */
export function readDeviceTreeBootloader(ctx: CollectContext): BootloaderVersion | null {
  const raw = ctx.proc.bytes('device-tree/chosen/bootloader/version');
  const build = readU32(ctx, 'build-timestamp');
  if (raw === null || build === null) return null;
  const version = parseDeviceTreeString(raw.toString('latin1'));
  if (!/^[0-9a-f]{7,40}$/.test(version)) throw new UnexpectedOutputError('device tree chosen/bootloader/version', version);
  const out: BootloaderVersion = { version, date: isoUtc(build), timestamp: build };
  const update = readU32(ctx, 'update-timestamp');
  if (update !== null) out.updateTime = update;
  return out;
}

export default defineCollector({
  name: 'bootloader',
  description: 'bootloader EEPROM version, build and update times on the Pi 4 and Pi 5 families, from the device tree (no process), else from `vcgencmd bootloader_version` once per boot',
  // Only the Pi 4 family (BCM2711) and the Pi 5 family (BCM2712) boot from an SPI EEPROM.
  appliesTo: (board) => board.processor === 'BCM2711' || board.processor === 'BCM2712',
  metrics: [
    { name: 'rpi_bootloader_info', help: 'Bootloader EEPROM build (device tree chosen/bootloader, or vcgencmd bootloader_version); date is the build time. Always 1.', unit: 'info', labels: ['version', 'date'] },
    { name: 'rpi_bootloader_build_timestamp_seconds', help: 'Build time of the bootloader EEPROM image, Unix time.', unit: 'seconds', labels: [] },
    { name: 'rpi_bootloader_update_timestamp_seconds', help: 'When the bootloader EEPROM was last written, Unix time.', unit: 'seconds', labels: [] },
  ],
  async collect(ctx, emit) {
    let bootloader = readDeviceTreeBootloader(ctx);
    try {
      bootloader ??= await ctx.vcgencmd(['bootloader_version'], parseBootloaderVersion, { perBoot: true });
    } catch (err) {
      // Firmware too old to know the command: no bootloader data, not a failure.
      if (err instanceof VcgencmdError && err.kind === 'firmware' && /not registered/i.test(err.message)) return;
      throw err;
    }
    emit('rpi_bootloader_info', { version: bootloader.version, date: bootloader.date }, 1);
    if (bootloader.timestamp !== undefined) emit('rpi_bootloader_build_timestamp_seconds', {}, bootloader.timestamp);
    if (bootloader.updateTime !== undefined) emit('rpi_bootloader_update_timestamp_seconds', {}, bootloader.updateTime);
  },
});
