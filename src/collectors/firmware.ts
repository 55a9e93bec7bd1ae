/**
 * VideoCore firmware version (`vcgencmd version`). It changes only at boot, so it is read once per
 * boot. The pure date parser is shared with the bootloader collector.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

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

export default defineCollector({
  name: 'firmware',
  description: 'VideoCore firmware version and build date, from `vcgencmd version` once per boot; no process after the first run',
  metrics: [
    { name: 'rpi_firmware_info', help: 'VideoCore firmware build (vcgencmd version). Always 1.', unit: 'info', labels: ['version', 'date', 'variant'] },
  ],
  async collect(ctx, emit) {
    const firmware = await ctx.vcgencmd(['version'], parseFirmwareVersion, { perBoot: true });
    emit('rpi_firmware_info', { version: firmware.version, date: firmware.date, variant: firmware.variant }, 1);
  },
});
