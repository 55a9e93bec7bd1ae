/**
 * Bootloader EEPROM version (`vcgencmd bootloader_version`) on the boards that have one: the Pi 4
 * and Pi 5 families. It changes only at boot (an EEPROM update applies at reboot), so it is read
 * once per boot. Other boards: success with no samples, nothing started.
 */
import { defineCollector, UnexpectedOutputError } from '../framework/collector';
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

export default defineCollector({
  name: 'bootloader',
  description: 'bootloader EEPROM version, build and update times on the Pi 4 and Pi 5 families, from `vcgencmd bootloader_version` once per boot; no process after the first run',
  // Only the Pi 4 family (BCM2711) and the Pi 5 family (BCM2712) boot from an SPI EEPROM.
  appliesTo: (board) => board.processor === 'BCM2711' || board.processor === 'BCM2712',
  metrics: [
    { name: 'rpi_bootloader_info', help: 'Bootloader EEPROM build (vcgencmd bootloader_version). Always 1.', unit: 'info', labels: ['version', 'date'] },
    { name: 'rpi_bootloader_build_timestamp_seconds', help: 'Build time of the bootloader EEPROM image, Unix time.', unit: 'seconds', labels: [] },
    { name: 'rpi_bootloader_update_timestamp_seconds', help: 'When the bootloader EEPROM was last written, Unix time.', unit: 'seconds', labels: [] },
  ],
  async collect(ctx, emit) {
    let bootloader: BootloaderVersion;
    try {
      bootloader = await ctx.vcgencmd(['bootloader_version'], parseBootloaderVersion, { perBoot: true });
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
