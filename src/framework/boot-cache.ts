/**
 * Values that cannot change until the next boot (firmware and bootloader versions, SDRAM rail
 * voltages) are read once per boot and kept in a small JSON file beside the textfile, keyed by
 * the kernel's boot id (/proc/sys/kernel/random/boot_id). That keeps the steady-state cost of a
 * run to the few vcgencmd calls whose answers do change.
 *
 * The file name does not end in `.prom`, so node_exporter ignores it. A missing, unreadable or
 * corrupt cache, or one from another boot, is simply a cache miss; so is a boot id that cannot
 * be read (the run is then uncached). Only answers that parsed are stored (collect.ts).
 */
import { bufferOf, readTextOrNull, type Files } from './host';
import { isLowerHex } from './text';

export interface BootCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Contents to persist, or null when nothing changed (or there is nowhere to persist). */
  pending(): string | null;
}

interface CacheFile {
  bootId: string;
  entries: Record<string, string>;
}

/** PURE: parses cache file text; null unless it is a valid cache for `bootId`. */
export function parseBootCache(text: string, bootId: string): Record<string, string> | null {
  try {
    const parsed = JSON.parse(text) as Partial<CacheFile>;
    if (parsed.bootId !== bootId || typeof parsed.entries !== 'object' || parsed.entries === null) return null;
    const entries: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.entries)) if (typeof v === 'string') entries[k] = v;
    return entries;
  } catch {
    return null;
  }
}

/** A cache file larger than this was not written by pi-textfile (a few KiB at most): a miss. */
const MAX_CACHE_BYTES = 64 * 1024;

/**
 * The cache of this boot, read without following a link or blocking (host.ts readTextOrNull):
 * a link, a FIFO, a device or an oversized file there is a miss, never read through. What is
 * saved holds only the answers this run asked for, so keys an older version wrote are pruned.
 */
export function loadBootCache(file: string | null, bootId: string | null): BootCache {
  let entries: Record<string, string> = {};
  const used = new Set<string>();
  let dirty = false;
  if (file !== null && bootId !== null) {
    const text = readTextOrNull(file, { maxBytes: MAX_CACHE_BYTES, noFollow: true });
    entries = (text === null ? null : parseBootCache(text, bootId)) ?? {};
  }
  return {
    get: (key) => {
      used.add(key);
      return entries[key];
    },
    set: (key, value) => {
      used.add(key);
      if (entries[key] === value) return;
      entries[key] = value;
      dirty = true;
    },
    pending: () => {
      if (file === null || bootId === null) return null;
      const stale = Object.keys(entries).filter((k) => !used.has(k));
      if (!dirty && stale.length === 0) return null;
      const kept = Object.fromEntries(Object.entries(entries).filter(([k]) => used.has(k)));
      return `${JSON.stringify({ bootId, entries: kept } satisfies CacheFile)}\n`;
    },
  };
}

/** What the cache holds for a device-tree property the firmware did not write (hex never has '-'). */
const ABSENT = '-';

/**
 * `files` (procfs) with its device tree (`device-tree/...`) read once per boot: the firmware
 * writes it before the kernel starts, so a board's model and what its bootloader says
 * (chosen/bootloader) hold until the next boot. Each property is kept as hex, or as absent;
 * one that cannot be read is not kept, and fails as it did.
 */
export function deviceTreePerBoot(files: Files, cache: BootCache): Files {
  return {
    text: files.text,
    list: files.list,
    bytes(rel) {
      if (!rel.startsWith('device-tree/')) return files.bytes(rel);
      const kept = cache.get(rel);
      if (kept === ABSENT) return null;
      if (kept !== undefined && kept.length % 2 === 0 && (kept === '' || isLowerHex(kept))) return fromHex(kept);
      const raw = files.bytes(rel);
      cache.set(rel, raw === null ? ABSENT : raw.toString('hex'));
      return raw;
    },
  };
}

/** PURE: the bytes of lower-case hex digits (checked by the caller). */
function fromHex(hex: string): Buffer {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bufferOf(bytes);
}
