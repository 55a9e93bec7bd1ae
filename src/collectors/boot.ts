/**
 * How this boot happened, as the bootloader tells the OS in the device tree
 * (/proc/device-tree/chosen/bootloader/, Pi 4 and Pi 5 families; raspberrypi/documentation
 * device-tree.adoc, "Firmware parameters"): the partition booted, whether it was a tryboot (the
 * one-shot A/B update test), and the boot mode. Each property is one 32-bit big-endian cell; a
 * property the firmware did not write is absent. Zero processes.
 */
import { readDeviceTreeU32 } from '../framework/board';
import { defineCollector } from '../framework/collector';

export default defineCollector({
  name: 'boot',
  description: 'the partition booted, tryboot, and the boot mode, from the device tree (chosen/bootloader) on the Pi 4 and Pi 5 families; no process',
  appliesTo: (board) => board.processor === 'BCM2711' || board.processor === 'BCM2712',
  metrics: [
    { name: 'rpi_boot_partition', help: 'Partition number the bootloader booted from (device tree chosen/bootloader/partition).', unit: 'number', labels: [] },
    {
      name: 'rpi_boot_tryboot',
      help: 'Whether this boot was a tryboot, the one-shot boot of an update under test (1), or not (0) (device tree chosen/bootloader/tryboot).',
      unit: 'boolean',
      labels: [],
    },
    {
      name: 'rpi_boot_mode',
      help: 'Boot mode that loaded the kernel, as a BOOT_ORDER code: 1 SD card, 2 network, 3 RPIBOOT, 4 USB mass storage, 6 NVMe, ... (device tree chosen/bootloader/boot-mode).',
      unit: 'number',
      labels: [],
    },
  ],
  collect(ctx, emit) {
    const read = (property: string): number | null => readDeviceTreeU32(ctx.proc, `chosen/bootloader/${property}`);
    const partition = read('partition');
    if (partition !== null) emit('rpi_boot_partition', {}, partition);
    const tryboot = read('tryboot');
    if (tryboot !== null) emit('rpi_boot_tryboot', {}, tryboot === 0 ? 0 : 1);
    const mode = read('boot-mode');
    if (mode !== null) emit('rpi_boot_mode', {}, mode);
  },
});
