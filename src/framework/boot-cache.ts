/**
 * Values that cannot change until the next boot (firmware and bootloader versions, SDRAM rail
 * voltages) are read once per boot and kept in a small JSON file beside the textfile, keyed by
 * the kernel's boot id (/proc/sys/kernel/random/boot_id). That keeps the steady-state cost of a
 * run to the few vcgencmd calls whose answers do change.
 *
 * The file name does not end in `.prom`, so node_exporter ignores it. A missing, unreadable or
 * corrupt cache, or one from another boot, is simply a cache miss.
 */
import * as fs from 'node:fs';

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

export function loadBootCache(file: string | null, bootId: string | null): BootCache {
  let entries: Record<string, string> = {};
  let dirty = false;
  if (file !== null && bootId !== null) {
    try {
      entries = parseBootCache(fs.readFileSync(file, 'utf8'), bootId) ?? {};
    } catch {
      entries = {};
    }
  }
  return {
    get: (key) => entries[key],
    set: (key, value) => {
      if (entries[key] === value) return;
      entries[key] = value;
      dirty = true;
    },
    pending: () => (dirty && file !== null && bootId !== null ? `${JSON.stringify({ bootId, entries } satisfies CacheFile)}\n` : null),
  };
}
