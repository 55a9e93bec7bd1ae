// bootloader: the device tree's bootloader properties, and parseBootloaderVersion on real
// `vcgencmd bootloader_version` outputs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isoUtc, parseBootloaderVersion, readDeviceTreeBootloader } from '../../src/collectors/bootloader';
import { identifyBoard } from '../../src/framework/board';
import type { CollectContext } from '../../src/framework/collector';
import { mountFiles } from '../../src/framework/host';
import { table, tempDir } from '../helpers';

table('parseBootloaderVersion', [
  {
    source: 'pi4b/vcgencmd_bootloader_version.si-pi-dev-20201228.txt',
    text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)\ntimestamp 1607685317\nupdate-time 1608039414\ncapabilities 0x0000001f\n',
    expected: { date: '2020-12-11T11:15:17', version: 'c3f26b6070054bca030366de2550d79ddae1207a', timestamp: 1607685317, updateTime: 1608039414 },
  },
  {
    source: 'pi5/vcgencmd_bootloader_version.raspberrypi-rpi-eeprom-pr-850.txt',
    text: '2026/05/26 16:01:25\nversion 086b83e3332dfc8927c56762771d082f3077a1ae (release)\ntimestamp 1779807685\nupdate-time 1779916375\ncapabilities 0x0000007f\n',
    expected: { date: '2026-05-26T16:01:25', version: '086b83e3332dfc8927c56762771d082f3077a1ae', timestamp: 1779807685, updateTime: 1779916375 },
  },
  {
    source: 'early bootloaders gave no timestamp lines (rpi-eeprom#62): the pi4b capture without them',
    text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)',
    expected: { date: '2020-12-11T11:15:17', version: 'c3f26b6070054bca030366de2550d79ddae1207a' },
  },
], (row) => assert.deepEqual(parseBootloaderVersion(row.text), row.expected));

table('parseBootloaderVersion rejects', [
  { source: 'pi5 error format (Command not registered)', text: 'error=1 error_msg="Command not registered"' },
  { source: 'common/vcgencmd_bootloader_version.UNKNOWN.Jack477-CommanderPi-issue-27.txt', text: 'unknown\n' },
  { source: 'empty output', text: '' },
  { source: 'a hash followed by a letter', text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bcaZ (release)' },
  { source: 'a hash of 41 digits', text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207aa (release)' },
], (row) => assert.throws(() => parseBootloaderVersion(row.text), /bootloader_version/));

table('parseBootloaderVersion timestamps', [
  { source: 'a timestamp that is not a number is left out', text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)\ntimestamp 16076x5317\nupdate-time 1608039414', timestamp: undefined, updateTime: 1608039414 },
  { source: 'a word after the number is left out', text: 'Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)\ntimestamp 1607685317 s\nupdate-time', timestamp: undefined, updateTime: undefined },
  { source: 'a hash ended by a dash is read', text: 'Dec 11 2020 11:15:17\nversion c3f26b6-dirty\ntimestamp 1607685317', timestamp: 1607685317, updateTime: undefined },
], (row) => {
  const v = parseBootloaderVersion(row.text);
  assert.equal(v.timestamp, row.timestamp);
  assert.equal(v.updateTime, row.updateTime);
});

table('isoUtc', [
  { source: 'pi5 device-tree build-timestamp 0x66422e75 (rpi-eeprom-issue-575)', seconds: 1715613301, iso: '2024-05-13T15:15:01' },
  { source: 'pi4b bootloader_version timestamp (equals its date line)', seconds: 1607685317, iso: '2020-12-11T11:15:17' },
], (row) => assert.equal(isoUtc(row.seconds), row.iso));

/** A procfs holding only chosen/bootloader properties, as raw bytes. */
function deviceTree(props: Record<string, Buffer>): CollectContext {
  const root = tempDir('pi-textfile-dt-');
  const dir = path.join(root, 'device-tree', 'chosen', 'bootloader');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(props)) fs.writeFileSync(path.join(dir, name), bytes);
  return { board: identifyBoard({}, 'Raspberry Pi 5 Model B Rev 1.0'), proc: mountFiles(root), sys: mountFiles(root), vcgencmd: () => Promise.reject(new Error('no process')) };
}

// Bytes of pi5/sys_firmware_devicetree_base_chosen_bootloader_{version,build-timestamp}.hexdump-C.raspberrypi-rpi-eeprom-issue-575.txt
const VERSION = Buffer.from('83b5e5e61a70a93caee65cbd6aea77bdd485e5b0\0', 'latin1');
const BUILD = Buffer.from([0x66, 0x42, 0x2e, 0x75]);

test('device tree: version and build time, in the capture\'s spelling (build-timestamp) and the documented one', () => {
  for (const name of ['build-timestamp', 'build_timestamp']) {
    assert.deepEqual(readDeviceTreeBootloader(deviceTree({ version: VERSION, [name]: BUILD })), {
      version: '83b5e5e61a70a93caee65cbd6aea77bdd485e5b0', date: '2024-05-13T15:15:01', timestamp: 1715613301,
    });
  }
});

test('device tree without a build time or version: null, so vcgencmd is asked instead', () => {
  assert.equal(readDeviceTreeBootloader(deviceTree({ version: VERSION })), null);
  assert.equal(readDeviceTreeBootloader(deviceTree({ 'build-timestamp': BUILD })), null);
});

test('device tree property of the wrong size or a version that is not hex: the collector fails', () => {
  assert.throws(() => readDeviceTreeBootloader(deviceTree({ version: VERSION, 'build-timestamp': Buffer.from([0x66, 0x42]) })), /chosen\/bootloader\/build-timestamp: "6642"/);
  assert.throws(() => readDeviceTreeBootloader(deviceTree({ version: Buffer.from('not a hash\0'), 'build-timestamp': BUILD })), /chosen\/bootloader\/version: "not a hash"/);
});
