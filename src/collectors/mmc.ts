/**
 * SD cards and eMMC: identity of every mmcblk device that is an SD card or eMMC (SDIO Wi-Fi has
 * no block device and is never listed), and on eMMC the wear the card reports. Zero processes:
 * everything comes from sysfs, /sys/block/mmcblkN/device/ (a link to the card's directory,
 * /sys/class/mmc_host/mmcN/mmcN:RCA/).
 *
 * Attribute formats: torvalds/linux drivers/mmc/core/sd.c (SD) and raspberrypi/linux
 * drivers/mmc/core/mmc.c (eMMC); label values are kept exactly as the kernel prints them
 * (`date="01/2016"`, `manfid="0x000027"`), so cards can be compared across a fleet and a
 * counterfeit or wrong card stands out. The eMMC wear bands are JEDEC's (EXT_CSD
 * DEVICE_LIFE_TIME_EST_TYP_A/B and PRE_EOL_INFO); the kernel reads them once at card
 * initialisation, so they change only after a reboot.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

/** Card types with a block device that stores data: SD cards and eMMC ("MMC"). */
const STORAGE_TYPES = new Set(['SD', 'MMC']);
const IDENTITY = ['name', 'manfid', 'oemid', 'date', 'serial', 'hwrev', 'fwrev'] as const;

function band(text: string, source: string): number {
  const m = /^(?:0x)?([0-9a-fA-F]{2})$/.exec(text);
  if (!m) throw new UnexpectedOutputError(source, text);
  return parseInt(m[1]!, 16);
}

/**
 * PURE: eMMC `life_time`, `0x%02x 0x%02x` (type A, then type B memory; older kernels print no
 * 0x). Each JEDEC band is 10 % of the rated erase cycles: 0x01 = 0-10 % used ... 0x0a = 90-100 %,
 * 0x0b = exceeded. Returns each band's lower bound as a ratio (0x01 -> 0, 0x0b -> 1), or null for
 * 0x00 (not defined by the card).
 */
export function parseLifeTime(text: string): { a: number | null; b: number | null } {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) throw new UnexpectedOutputError('mmc life_time', text.trim());
  const [a, b] = parts.map((p) => band(p, 'mmc life_time')) as [number, number];
  for (const v of [a, b]) if (v > 0x0b) throw new UnexpectedOutputError('mmc life_time', text.trim());
  const ratio = (v: number): number | null => (v === 0 ? null : (v - 1) / 10);
  return { a: ratio(a), b: ratio(b) };
}

/**
 * PURE: eMMC `pre_eol_info`, `0x%02x` (older kernels: `%02x`). 0x01 normal, 0x02 warning (80 % of
 * the reserved blocks consumed), 0x03 urgent (90 %). Returns the lower bound of reserved blocks
 * used as a ratio (0, 0.8, 0.9), or null for 0x00 (not defined).
 */
export function parsePreEolInfo(text: string): number | null {
  const v = band(text.trim(), 'mmc pre_eol_info');
  const ratios: Record<number, number | null> = { 0: null, 1: 0, 2: 0.8, 3: 0.9 };
  if (!(v in ratios)) throw new UnexpectedOutputError('mmc pre_eol_info', text.trim());
  return ratios[v]!;
}

export default defineCollector({
  name: 'mmc',
  description: 'identity of every SD card and eMMC (name, maker and OEM ids, date, serial, revisions), and eMMC wear, from /sys/block/mmcblkN/device; no process',
  metrics: [
    {
      name: 'rpi_mmc_info',
      help: 'SD card or eMMC identity, label values as the kernel prints them (sysfs /sys/block/mmcblkN/device). Always 1.',
      unit: 'info',
      labels: ['device', 'type', ...IDENTITY],
    },
    {
      name: 'rpi_mmc_life_time_used_ratio',
      help: 'eMMC: at least this fraction of the rated erase cycles is used (lower bound of the JEDEC 10 % band in life_time; 1 = exceeded), per memory type A or B.',
      unit: 'ratio',
      labels: ['device', 'memory_type'],
    },
    {
      name: 'rpi_mmc_reserved_blocks_used_ratio',
      help: 'eMMC: at least this fraction of the reserved blocks is consumed (pre_eol_info: 0 normal, 0.8 warning, 0.9 urgent).',
      unit: 'ratio',
      labels: ['device'],
    },
  ],
  collect(ctx, emit) {
    for (const device of ctx.sys.list('block') ?? []) {
      if (!/^mmcblk\d+$/.test(device)) continue; // not mmcblk0p1, mmcblk0boot0, mmcblk0rpmb
      const at = (attr: string): string | null => ctx.sys.text(`block/${device}/device/${attr}`);
      const type = at('type')?.trim();
      if (type === undefined || !STORAGE_TYPES.has(type)) continue;
      const identity = Object.fromEntries(IDENTITY.map((attr) => [attr, at(attr)?.trim() ?? ''])) as Record<(typeof IDENTITY)[number], string>;
      emit('rpi_mmc_info', { device, type, ...identity }, 1);
      if (type !== 'MMC') continue;
      const lifeTime = at('life_time');
      if (lifeTime !== null) {
        const used = parseLifeTime(lifeTime);
        if (used.a !== null) emit('rpi_mmc_life_time_used_ratio', { device, memory_type: 'A' }, used.a);
        if (used.b !== null) emit('rpi_mmc_life_time_used_ratio', { device, memory_type: 'B' }, used.b);
      }
      const preEol = at('pre_eol_info');
      const reserved = preEol === null ? null : parsePreEolInfo(preEol);
      if (reserved !== null) emit('rpi_mmc_reserved_blocks_used_ratio', { device }, reserved);
    }
  },
});
