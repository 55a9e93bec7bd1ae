/** Scans of sysfs classes, for collectors that look for one kind of device among many. */
import type { Files } from './host';

/**
 * The devices of the sysfs class `className` (`class/thermal`, `class/hwmon`, ...) whose entry
 * name starts with `prefix` (`thermal_zone`, `hwmon`) and whose `attribute` file (`type`, `name`)
 * holds one of `wanted`, in the kernel's order of entries; each as its path below the sysfs root
 * (`class/thermal/thermal_zone0`). A class that does not exist has none; a device without the
 * attribute is not one of them.
 */
export function classDevices(sys: Files, className: string, prefix: string, attribute: string, wanted: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const entry of sys.list(`class/${className}`) ?? []) {
    if (!entry.startsWith(prefix)) continue;
    const dir = `class/${className}/${entry}`;
    const value = sys.text(`${dir}/${attribute}`);
    if (value !== null && wanted.has(value.trim())) found.push(dir);
  }
  return found;
}
