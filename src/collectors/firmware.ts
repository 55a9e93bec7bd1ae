/**
 * Firmware (`vcgencmd version`) and, on boards with a bootloader EEPROM (Pi 4 and Pi 5 families),
 * bootloader (`vcgencmd bootloader_version`) versions. Both change only at boot, so each is read
 * once per boot.
 */
import { hasBootloaderEeprom } from '../board';
import { defineCollector, UnexpectedOutputError } from '../collector';
import { VcgencmdError } from '../vcgencmd';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * PURE: a firmware build date line in either format the firmware has used, to ISO 8601 without a
 * zone (the firmware does not say which): `Feb 25 2021 12:11:39 ` (Pi 0-4) or
 * `2025/01/08 17:52:48 ` (Pi 5). Null if neither.
 */
export function parseFirmwareDate(line: string): string | null {
  const t = line.trim();
  let m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{4})\s+(\d{2}:\d{2}:\d{2})$/.exec(t);
  if (m) {
    const month = MONTHS.indexOf(m[1]!);
    if (month < 0) return null;
    return `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[2]!.padStart(2, '0')}T${m[4]}`;
  }
  m = /^(\d{4})\/(\d{2})\/(\d{2})\s+(\d{2}:\d{2}:\d{2})$/.exec(t);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}` : null;
}

export interface FirmwareVersion {
  date: string;
  version: string;
  /** The firmware variant in the last parentheses, e.g. start, start_x, start_cd, embedded; "" if none. */
  variant: string;
}

/**
 * PURE: `vcgencmd version` output, three lines: build date, `Copyright (c) 2012 Broadcom`, and
 * `version <hash> (clean) (release) (start_x)`.
 */
export function parseFirmwareVersion(text: string): FirmwareVersion {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const date = lines[0] === undefined ? null : parseFirmwareDate(lines[0]);
  const versionLine = lines.find((l) => l.startsWith('version '));
  const m = versionLine ? /^version ([0-9a-f]{7,40})((?:\s+\([^)]*\))*)$/.exec(versionLine) : null;
  if (date === null || !m) throw new UnexpectedOutputError('vcgencmd version', text.trim());
  const tags = [...m[2]!.matchAll(/\(([^)]*)\)/g)].map((t) => t[1]!).filter((t) => t !== 'clean' && t !== 'release' && t !== 'dirty');
  return { date, version: m[1]!, variant: tags[tags.length - 1] ?? '' };
}

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
  name: 'firmware',
  description: 'firmware and bootloader EEPROM versions, read once per boot (vcgencmd version, bootloader_version)',
  defaultEnabled: true,
  metrics: [
    { name: 'rpi_firmware_info', help: 'VideoCore firmware build (vcgencmd version). Always 1.', labels: ['version', 'date', 'variant'] },
    { name: 'rpi_bootloader_info', help: 'Bootloader EEPROM build (vcgencmd bootloader_version). Always 1.', labels: ['version', 'date'] },
    { name: 'rpi_bootloader_build_timestamp_seconds', help: 'Build time of the bootloader EEPROM image, Unix time.', labels: [] },
    { name: 'rpi_bootloader_update_timestamp_seconds', help: 'When the bootloader EEPROM was last written, Unix time.', labels: [] },
  ],
  async collect(ctx, emit) {
    const board = ctx.board();
    if (!board.isPi) return;
    const [firmware, bootloader] = await Promise.all([
      ctx.vcgencmd(['version'], { perBoot: true }).then(parseFirmwareVersion),
      hasBootloaderEeprom(board)
        ? ctx.vcgencmd(['bootloader_version'], { perBoot: true }).then(parseBootloaderVersion, (err: unknown) => {
            // Firmware too old to know the command: no bootloader data, not a failure.
            if (err instanceof VcgencmdError && err.kind === 'firmware' && /not registered/i.test(err.message)) return null;
            throw err;
          })
        : null,
    ]);
    emit('rpi_firmware_info', { version: firmware.version, date: firmware.date, variant: firmware.variant }, 1);
    if (bootloader) {
      emit('rpi_bootloader_info', { version: bootloader.version, date: bootloader.date }, 1);
      if (bootloader.timestamp !== undefined) emit('rpi_bootloader_build_timestamp_seconds', {}, bootloader.timestamp);
      if (bootloader.updateTime !== undefined) emit('rpi_bootloader_update_timestamp_seconds', {}, bootloader.updateTime);
    }
  },
});
