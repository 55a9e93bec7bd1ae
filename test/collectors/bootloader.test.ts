// bootloader: parseBootloaderVersion on real `vcgencmd bootloader_version` outputs.
import assert from 'node:assert/strict';
import { parseBootloaderVersion } from '../../src/collectors/bootloader';
import { table } from '../helpers';

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
], (row) => assert.throws(() => parseBootloaderVersion(row.text), /bootloader_version/));
