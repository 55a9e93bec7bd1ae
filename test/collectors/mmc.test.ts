// mmc: the eMMC wear parsers, and the collector on a card tree. No Pi eMMC's life_time or
// pre_eol_info was ever captured, so those rows use the formats the kernel prints:
// raspberrypi/linux drivers/mmc/core/mmc.c `0x%02x 0x%02x` and `0x%02x`, and the older
// torvalds/linux mmc.c (006cac82) `%02x` without 0x.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import mmc, { parseLifeTime, parsePreEolInfo } from '../../src/collectors/mmc';
import { identifyBoard } from '../../src/framework/board';
import { runCollectors } from '../../src/framework/collector';
import { renderExposition } from '../../src/framework/exposition';
import { mountFiles } from '../../src/framework/host';
import { table, tempDir } from '../helpers';

table('parseLifeTime', [
  { source: 'kernel format 0x%02x 0x%02x, both bands 0-10 %', text: '0x01 0x01\n', expected: { a: 0, b: 0 } },
  { source: 'kernel format, type B 90-100 %', text: '0x02 0x0a\n', expected: { a: 0.1, b: 0.9 } },
  { source: 'kernel format, exceeded', text: '0x0b 0x0b', expected: { a: 1, b: 1 } },
  { source: 'older kernels print no 0x', text: '01 03\n', expected: { a: 0, b: 0.2 } },
  { source: '0x00: not defined by the card', text: '0x00 0x01', expected: { a: null, b: 0 } },
], (row) => assert.deepEqual(parseLifeTime(row.text), row.expected));

table('parseLifeTime rejects', [
  { source: 'one band only', text: '0x01' },
  { source: 'a band past 0x0b', text: '0x0c 0x01' },
  { source: 'not hex', text: '0xzz 0x01' },
  { source: 'empty file', text: '' },
], (row) => assert.throws(() => parseLifeTime(row.text), /unexpected output from mmc life_time/));

table('parsePreEolInfo', [
  { source: 'kernel format 0x%02x, normal', text: '0x01\n', ratio: 0 },
  { source: 'warning: 80 % of reserved blocks consumed', text: '0x02\n', ratio: 0.8 },
  { source: 'urgent: 90 %', text: '0x03', ratio: 0.9 },
  { source: 'older kernels print %02x', text: '02\n', ratio: 0.8 },
  { source: '0x00: not defined', text: '0x00', ratio: null },
], (row) => assert.equal(parsePreEolInfo(row.text), row.ratio));

table('parsePreEolInfo rejects', [
  { source: 'a level past urgent', text: '0x04' },
  { source: 'two values', text: '0x01 0x01' },
], (row) => assert.throws(() => parsePreEolInfo(row.text), /unexpected output from mmc pre_eol_info/));

/** A sysfs with one card per entry: `block/NAME/device/ATTR` files. */
function sysfs(cards: Record<string, Record<string, string>>): string {
  const root = tempDir('pi-textfile-mmc-');
  for (const [device, attrs] of Object.entries(cards)) {
    const dir = path.join(root, 'block', device, 'device');
    fs.mkdirSync(dir, { recursive: true });
    for (const [attr, value] of Object.entries(attrs)) fs.writeFileSync(path.join(dir, attr), `${value}\n`);
  }
  return root;
}

test('mmc: an eMMC gets identity and wear; SDIO, partitions and boot areas are skipped', async () => {
  // Identity values of a CM5's Samsung eMMC as sbc-bench printed them from sysfs
  // (cm5/sys_block_mmcblk0_device.SUMMARY-LINE.sbc-bench-Xh2H.txt; no serial there); wear in the kernel's format.
  const root = sysfs({
    mmcblk0: { type: 'MMC', name: 'BJTD4R', manfid: '0x000015', oemid: '0x0100', date: '07/2024', hwrev: '0x0', fwrev: '0x0300000000000000', life_time: '0x01 0x02', pre_eol_info: '0x01' },
    mmcblk0boot0: { type: 'MMC' },
    mmcblk1: { type: 'SDIO' },
    mmcblk0p1: { type: 'MMC' },
  });
  const board = identifyBoard({}, 'Raspberry Pi Compute Module 5 Rev 1.0');
  const ctx = { board, proc: mountFiles('/nonexistent'), sys: mountFiles(root), vcgencmd: () => Promise.reject(new Error('no process')) };
  const { families, results } = await runCollectors([{ collector: mmc, options: {} }], ctx, () => 0);
  assert.equal(results[0]!.success, true, results[0]!.error);
  const lines = renderExposition(families).split('\n').filter((l) => l.startsWith('rpi_mmc_'));
  assert.deepEqual(lines, [
    'rpi_mmc_info{device="mmcblk0",type="MMC",name="BJTD4R",manfid="0x000015",oemid="0x0100",date="07/2024",serial="",hwrev="0x0",fwrev="0x0300000000000000"} 1',
    'rpi_mmc_life_time_used_ratio{device="mmcblk0",memory_type="A"} 0',
    'rpi_mmc_life_time_used_ratio{device="mmcblk0",memory_type="B"} 0.1',
    'rpi_mmc_reserved_blocks_used_ratio{device="mmcblk0"} 0',
  ]);
});

test('mmc: a life_time the kernel would never print fails the collector', async () => {
  const root = sysfs({ mmcblk0: { type: 'MMC', life_time: 'garbage' } });
  const ctx = { board: identifyBoard({}, 'Raspberry Pi Compute Module 4 Rev 1.0'), proc: mountFiles('/nonexistent'), sys: mountFiles(root), vcgencmd: () => Promise.reject(new Error('no process')) };
  const { results } = await runCollectors([{ collector: mmc, options: {} }], ctx, () => 0);
  assert.equal(results[0]!.success, false);
  assert.match(results[0]!.error!, /unexpected output from mmc life_time: "garbage"/);
});
