// boot: the device tree's chosen/bootloader cells, from the Pi 5 hexdump captures
// (pi5/sys_firmware_devicetree_base_chosen_bootloader_{partition,tryboot}.hexdump-C.*.raspberrypi-rpi-eeprom-issue-575.txt).
// No boot-mode capture exists; its row uses the documented format, one 32-bit big-endian cell.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import boot from '../../src/collectors/boot';
import { identifyBoard } from '../../src/framework/board';
import { runCollectors } from '../../src/framework/collector';
import { renderExposition } from '../../src/framework/exposition';
import { mountFiles } from '../../src/framework/host';
import { table, tempDir } from '../helpers';

const cell = (...bytes: number[]): Buffer => Buffer.from(bytes);

async function collect(props: Record<string, Buffer>): Promise<{ lines: string[]; error?: string }> {
  const root = tempDir('pi-textfile-boot-');
  const dir = path.join(root, 'device-tree', 'chosen', 'bootloader');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(props)) fs.writeFileSync(path.join(dir, name), bytes);
  const ctx = { board: identifyBoard({}, 'Raspberry Pi 5 Model B Rev 1.0'), proc: mountFiles(root), sys: mountFiles(root), vcgencmd: () => Promise.reject(new Error('no process')) };
  const { families, results } = await runCollectors([{ collector: boot, options: {} }], ctx, () => 0);
  return { lines: renderExposition(families).split('\n').filter((l) => l.startsWith('rpi_boot_')), error: results[0]!.error };
}

table<{ source: string; props: Record<string, Buffer>; lines: string[] }>('boot', [
  { source: 'NORMAL-BOOT captures: partition 2, tryboot 0', props: { partition: cell(0, 0, 0, 2), tryboot: cell(0, 0, 0, 0) }, lines: ['rpi_boot_partition 2', 'rpi_boot_tryboot 0'] },
  { source: 'TRYBOOT captures: partition 3, tryboot 1', props: { partition: cell(0, 0, 0, 3), tryboot: cell(0, 0, 0, 1) }, lines: ['rpi_boot_partition 3', 'rpi_boot_tryboot 1'] },
  { source: 'documented boot-mode cell, 6 (NVMe)', props: { 'boot-mode': cell(0, 0, 0, 6) }, lines: ['rpi_boot_mode 6'] },
  { source: 'a firmware that wrote none of them', props: {}, lines: [] },
], async (row) => {
  const r = await collect(row.props);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.lines, row.lines);
});

table<{ source: string; props: Record<string, Buffer>; error: RegExp }>('boot rejects', [
  { source: 'a partition cell of 2 bytes', props: { partition: cell(0, 2) }, error: /chosen\/bootloader\/partition: "0002"/ },
  { source: 'a tryboot of 8 bytes', props: { tryboot: cell(0, 0, 0, 0, 0, 0, 0, 1) }, error: /chosen\/bootloader\/tryboot/ },
], async (row) => {
  assert.match((await collect(row.props)).error ?? '', row.error);
});
