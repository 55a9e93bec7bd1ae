// throttled: parseGetThrottled on real get_throttled outputs, and the under-voltage detector gate.
import assert from 'node:assert/strict';
import { identifyBoard } from '../../src/framework/board';
import { hasUnderVoltageDetector, parseGetThrottled } from '../../src/collectors/throttled';
import { table } from '../helpers';

const on = (flags: Record<string, boolean>): string[] => Object.entries(flags).filter(([, v]) => v).map(([k]) => k);

table('parseGetThrottled', [
  { source: 'pi3b/vcgencmd_get_throttled.0x0.alwye-get_throttled-issue-2.txt', text: 'throttled=0x0\n', raw: 0, active: [], occurred: [] },
  { source: 'pi3b/vcgencmd_get_throttled.0x50000.raspberrypi-firmware-issue-615.txt', text: 'throttled=0x50000\n', raw: 0x50000, active: [], occurred: ['under_voltage', 'throttled'] },
  { source: 'pi3b/vcgencmd_get_throttled.0x20000.raspberrypi-firmware-issue-1740.txt', text: 'throttled=0x20000\n', raw: 0x20000, active: [], occurred: ['arm_frequency_capped'] },
  { source: 'pi4b/vcgencmd_get_throttled.0x80008.raspberrypi-documentation-issue-2546.txt', text: 'throttled=0x80008\n', raw: 0x80008, active: ['soft_temperature_limit'], occurred: ['soft_temperature_limit'] },
  { source: 'SEMANTICS.md section 1, observed 0x50005', text: 'throttled=0x50005', raw: 0x50005, active: ['under_voltage', 'throttled'], occurred: ['under_voltage', 'throttled'] },
  { source: 'the same in capitals (the firmware prints lower case; any hex is read)', text: 'throttled=0x5000F', raw: 0x5000f, active: ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'], occurred: ['under_voltage', 'throttled'] },
  { source: 'all 32 bits', text: 'throttled=0xffffffff\n', raw: 0xffffffff, active: ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'], occurred: ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'] },
], (row) => {
  const f = parseGetThrottled(row.text);
  assert.equal(f.raw, row.raw);
  assert.deepEqual(on(f.active), row.active);
  assert.deepEqual(on(f.occurred), row.occurred);
});

table('parseGetThrottled rejects', [
  { source: 'empty output', text: '' },
  { source: 'no value', text: 'throttled=' },
  { source: 'bare 0x', text: 'throttled=0x' },
  { source: 'sysfs form without 0x (sys_soc_firmware_get_throttled.80000)', text: 'throttled=50000' },
  { source: 'more than 32 bits', text: 'throttled=0x1000000000' },
  { source: 'another command\'s answer', text: "temp=39.2'C" },
  { source: 'pi4b/vcgencmd.ERROR-cant-open-dev-vcio', text: "Can't open device file: /dev/vcio" },
  { source: 'pi5 error format (Command not registered)', text: 'error=1 error_msg="Command not registered"' },
  { source: 'trailing text', text: 'throttled=0x50000 trailing' },
  { source: 'nine hex digits', text: 'throttled=0x100000000' },
  { source: 'a letter that is not hex', text: 'throttled=0x5000g' },
  { source: 'a sign', text: 'throttled=0x-5' },
  { source: 'a space inside', text: 'throttled=0x5 0' },
], (row) => assert.throws(() => parseGetThrottled(row.text), /unexpected output from vcgencmd get_throttled/));

table('under-voltage detector', [
  { source: 'zerow/proc_cpuinfo (9000c1, Zero W)', board: identifyBoard({ hardware: 'BCM2835', revision: '9000c1' }, null), has: false },
  { source: 'zero/proc_cpuinfo (900093, Zero)', board: identifyBoard({ hardware: 'BCM2835', revision: '900093' }, null), has: false },
  { source: 'pi1b/proc_cpuinfo (000e, original B)', board: identifyBoard({ hardware: 'BCM2835', revision: '000e' }, null), has: false },
  { source: 'cm4/proc_cpuinfo (b03140, CM4 has one)', board: identifyBoard({ hardware: 'BCM2711', revision: 'b03140' }, null), has: true },
  { source: 'pi3b/proc_cpuinfo (a02082)', board: identifyBoard({ hardware: 'BCM2835', revision: 'a02082' }, null), has: true },
  { source: 'model string only: Raspberry Pi Zero W Rev 1.1', board: identifyBoard({}, 'Raspberry Pi Zero W Rev 1.1'), has: false },
  { source: 'model string only: Raspberry Pi Zero 2 W Rev 1.0', board: identifyBoard({}, 'Raspberry Pi Zero 2 W Rev 1.0'), has: true },
  { source: 'model string only: Raspberry Pi 5 Model B Rev 1.0', board: identifyBoard({}, 'Raspberry Pi 5 Model B Rev 1.0'), has: true },
], (row) => assert.equal(hasUnderVoltageDetector(row.board), row.has));
