/**
 * Board identity: /proc/cpuinfo trailer lines, the device-tree model, and the revision code decoded
 * per Raspberry Pi's documented bit layout (raspberrypi/documentation,
 * computers/raspberry-pi/revision-codes.adoc).
 */
import { UnexpectedOutputError } from './errors';
import type { Files } from './host';
import { isLowerHex } from './text';

export interface CpuinfoTrailer {
  hardware?: string;
  revision?: string;
  serial?: string;
  model?: string;
}

/**
 * PURE: parses /proc/cpuinfo (tab- or space-separated `Key : value` lines) and returns the board
 * trailer fields: Hardware, Revision, Serial, Model. Any of them may be missing: kernels 6.x drop
 * `Hardware`, older kernels have no `Model`.
 */
export function parseCpuinfo(text: string): CpuinfoTrailer {
  const out: CpuinfoTrailer = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = TRAILER_KEYS.get(line.slice(0, colon).trimEnd());
    if (key !== undefined) out[key] = line.slice(colon + 1).trim();
  }
  return out;
}

const TRAILER_KEYS = new Map<string, keyof CpuinfoTrailer>([
  ['Hardware', 'hardware'],
  ['Revision', 'revision'],
  ['Serial', 'serial'],
  ['Model', 'model'],
]);

/** PURE: /proc/device-tree/model is NUL-terminated; captures may end in a newline instead. */
export function parseDeviceTreeString(raw: string): string {
  let end = raw.length;
  while (end > 0 && raw.charCodeAt(end - 1) === 0) end--;
  return raw.slice(0, end).split('\0').join(' ').trim();
}

/**
 * PURE: a device-tree integer property (/proc/device-tree/...): one 32-bit big-endian cell, as
 * the firmware writes `partition`, `tryboot` and the bootloader timestamps. Null unless exactly 4 bytes.
 */
function parseDeviceTreeU32(raw: Buffer): number | null {
  return raw.length === 4 ? raw.readUInt32BE(0) : null;
}

/**
 * Reads a device-tree integer property below procfs (`device-tree/...`): null if the firmware did
 * not write it; an UnexpectedOutputError naming it if it is not one 32-bit cell.
 */
export function readDeviceTreeU32(proc: Files, rel: string): number | null {
  const raw = proc.bytes(`device-tree/${rel}`);
  if (raw === null) return null;
  const value = parseDeviceTreeU32(raw);
  if (value === null) throw new UnexpectedOutputError(`device tree ${rel}`, raw.toString('hex'));
  return value;
}

export interface DecodedRevision {
  /** The code as the kernel printed it, lower case, e.g. "c03111" or "2a020d3". */
  code: string;
  type: string;
  processor: string;
  manufacturer: string;
  /** "1.1" for board revision 1 of a new-style code. */
  boardRevision: string;
  memoryBytes?: number;
  /** Bit 25 (documented) or bit 24 (observed on an overclocked Zero and Zero W). */
  warrantyVoided: boolean;
}

const MiB = 1024 * 1024;
const MEMORY: Record<number, number> = {
  0: 256 * MiB,
  1: 512 * MiB,
  2: 1024 * MiB,
  3: 2048 * MiB,
  4: 4096 * MiB,
  5: 8192 * MiB,
  6: 16384 * MiB,
};
const MANUFACTURER: Record<number, string> = {
  0: 'Sony UK',
  1: 'Egoman',
  2: 'Embest',
  3: 'Sony Japan',
  4: 'Embest',
  5: 'Stadium',
};
const PROCESSOR: Record<number, string> = { 0: 'BCM2835', 1: 'BCM2836', 2: 'BCM2837', 3: 'BCM2711', 4: 'BCM2712' };
const TYPE: Record<number, string> = {
  0x00: 'A',
  0x01: 'B',
  0x02: 'A+',
  0x03: 'B+',
  0x04: '2B',
  0x05: 'Alpha',
  0x06: 'CM1',
  0x08: '3B',
  0x09: 'Zero',
  0x0a: 'CM3',
  0x0c: 'Zero W',
  0x0d: '3B+',
  0x0e: '3A+',
  0x0f: 'Internal use only',
  0x10: 'CM3+',
  0x11: '4B',
  0x12: 'Zero 2 W',
  0x13: '400',
  0x14: 'CM4',
  0x15: 'CM4S',
  0x16: 'Internal use only',
  0x17: '5',
  0x18: 'CM5',
  0x19: '500',
  0x1a: 'CM5 Lite',
  0x1b: 'CM0',
};

/** Old-style codes (before bit 23 existed): type, board revision, MiB of RAM, manufacturer. */
const OLD_STYLE: Record<number, [string, string, number, string]> = {
  0x02: ['B', '1.0', 256, 'Egoman'],
  0x03: ['B', '1.0', 256, 'Egoman'],
  0x04: ['B', '2.0', 256, 'Sony UK'],
  0x05: ['B', '2.0', 256, 'Qisda'],
  0x06: ['B', '2.0', 256, 'Egoman'],
  0x07: ['A', '2.0', 256, 'Egoman'],
  0x08: ['A', '2.0', 256, 'Sony UK'],
  0x09: ['A', '2.0', 256, 'Qisda'],
  0x0d: ['B', '2.0', 512, 'Egoman'],
  0x0e: ['B', '2.0', 512, 'Sony UK'],
  0x0f: ['B', '2.0', 512, 'Egoman'],
  0x10: ['B+', '1.2', 512, 'Sony UK'],
  0x11: ['CM1', '1.0', 512, 'Sony UK'],
  0x12: ['A+', '1.1', 256, 'Sony UK'],
  0x13: ['B+', '1.2', 512, 'Embest'],
  0x14: ['CM1', '1.0', 512, 'Embest'],
  // 0015 shipped with 256 MB or 512 MB: memory is not decidable from the code.
  0x15: ['A+', '1.1', 0, 'Embest'],
};

/**
 * PURE: decodes a Revision code from /proc/cpuinfo (hex, no 0x). Bits above 23 (warranty,
 * over-voltage and OTP flags) are masked before decoding, because overclocked boards set them.
 * Codes missing from the published table decode too, as long as they follow the layout.
 * Returns null for text that is not a revision code.
 */
export function decodeRevision(text: string): DecodedRevision | null {
  const code = text.trim().toLowerCase();
  if (code.length > 8 || !isLowerHex(code)) return null;
  const raw = parseInt(code, 16) >>> 0;
  const warrantyVoided = (raw & (1 << 25)) !== 0 || (raw & (1 << 24)) !== 0;
  const value = raw & 0xffffff;
  if ((value & (1 << 23)) !== 0) {
    const typeField = (value >> 4) & 0xff;
    const memField = (value >> 20) & 0x7;
    const decoded: DecodedRevision = {
      code,
      type: TYPE[typeField] ?? `unknown (0x${typeField.toString(16).padStart(2, '0')})`,
      processor: PROCESSOR[(value >> 12) & 0xf] ?? `unknown (${(value >> 12) & 0xf})`,
      manufacturer: MANUFACTURER[(value >> 16) & 0xf] ?? `unknown (${(value >> 16) & 0xf})`,
      boardRevision: `1.${value & 0xf}`,
      warrantyVoided,
    };
    const mem = MEMORY[memField];
    if (mem !== undefined) decoded.memoryBytes = mem;
    return decoded;
  }
  const old = OLD_STYLE[value];
  if (!old) return null;
  const decoded: DecodedRevision = {
    code,
    type: old[0],
    processor: 'BCM2835',
    manufacturer: old[3],
    boardRevision: old[1],
    warrantyVoided,
  };
  if (old[2] > 0) decoded.memoryBytes = old[2] * MiB;
  return decoded;
}

export interface Board {
  /** True when this machine is a Raspberry Pi (decodable revision code, or a Raspberry Pi model string). */
  isPi: boolean;
  model: string;
  serial: string;
  revision: DecodedRevision | null;
  /**
   * The SoC (BCM2835 ... BCM2712): from the revision code, else from the model string (kernels
   * print a model even where the Revision line is missing). Null when neither says.
   */
  processor: string | null;
}

/** Model-string prefixes per SoC, for boards whose cpuinfo has no usable Revision line. */
const PROCESSOR_BY_MODEL: Array<[RegExp, string]> = [
  [/^Raspberry Pi (5|500|Compute Module 5)\b/, 'BCM2712'],
  [/^Raspberry Pi (4|400|Compute Module 4S?)\b/, 'BCM2711'],
  [/^Raspberry Pi (3|Zero 2|Compute Module 3)\b/, 'BCM2837'],
  [/^Raspberry Pi 2\b/, 'BCM2836'],
  [/^Raspberry Pi (Model [AB]|Zero|Compute Module( Rev| 1)?\b)/, 'BCM2835'],
];

/** The cpuinfo Hardware values that, with a Revision line, identify a Raspberry Pi. */
const PI_HARDWARE = ['BCM2835', 'BCM2836', 'BCM2837', 'BCM2711', 'BCM2712'];

/** PURE: combines the cpuinfo trailer and the device-tree model into a Board. */
export function identifyBoard(cpuinfo: CpuinfoTrailer, deviceTreeModel: string | null): Board {
  const model = deviceTreeModel ?? cpuinfo.model ?? '';
  const revision = cpuinfo.revision !== undefined ? decodeRevision(cpuinfo.revision) : null;
  const namedPi = model.startsWith('Raspberry Pi');
  const broadcom = PI_HARDWARE.includes(cpuinfo.hardware ?? '');
  // Every Pi kernel prints either a "Raspberry Pi ..." model or a Broadcom Hardware line with a Revision.
  const isPi = namedPi || (revision !== null && broadcom);
  const rev = isPi ? revision : null;
  const processor = rev?.processor.startsWith('BCM') ? rev.processor : isPi ? (PROCESSOR_BY_MODEL.find(([re]) => re.test(model))?.[1] ?? null) : null;
  return { isPi, model, serial: cpuinfo.serial ?? '', revision: rev, processor };
}

/** Reads /proc/cpuinfo and /proc/device-tree/model. */
export function readBoard(proc: Files): Board {
  const cpuinfo = parseCpuinfo(proc.text('cpuinfo') ?? '');
  const dt = proc.bytes('device-tree/model');
  return identifyBoard(cpuinfo, dt === null ? null : parseDeviceTreeString(dt.toString('utf8')) || null);
}
