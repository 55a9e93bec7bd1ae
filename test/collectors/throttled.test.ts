// throttled: parseGetThrottled on real get_throttled outputs, and the under-voltage detector gate.
import assert from 'node:assert/strict';
import { identifyBoard } from '../../src/framework/board';
import { hasUnderVoltageDetector, parseGetThrottled } from '../../src/collectors/throttled';
import { runCollectors, type CollectContext } from '../../src/framework/collector';
import type { Files } from '../../src/framework/host';
import throttled from '../../src/collectors/throttled';
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
  { source: 'text before it', text: 'xthrottled=0x0' },
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
  { source: '0007, old style A (SEMANTICS.md 2.3)', board: identifyBoard({ hardware: 'BCM2835', revision: '0007' }, null), has: false },
  { source: '0011, old style CM1 (SEMANTICS.md 2.3)', board: identifyBoard({ hardware: 'BCM2835', revision: '0011' }, null), has: false },
  { source: 'a020a0, CM3 (type 0x0a by the layout of SEMANTICS.md 2.1)', board: identifyBoard({ hardware: 'BCM2835', revision: 'a020a0' }, null), has: false },
  { source: 'a02100, CM3+ (type 0x10 by the same layout)', board: identifyBoard({ hardware: 'BCM2835', revision: 'a02100' }, null), has: false },
  { source: 'a01041, Pi 2 (pi2b/proc_cpuinfo)', board: identifyBoard({ hardware: 'BCM2835', revision: 'a01041' }, null), has: true },
  { source: 'model string only: Raspberry Pi Zero Rev 1.3 (zero/proc_cpuinfo)', board: identifyBoard({}, 'Raspberry Pi Zero Rev 1.3'), has: false },
  { source: 'model string only: Raspberry Pi Model B Rev 2 (pi1b device-tree model)', board: identifyBoard({}, 'Raspberry Pi Model B Rev 2'), has: false },
  { source: 'model string only: CM3+ (its kernel\'s "Hardware name:", linux-serial report, 2022)', board: identifyBoard({}, 'Raspberry Pi Compute Module 3 Plus Rev 1.0'), has: false },
  { source: 'model string only: Raspberry Pi Compute Module 4 Rev 1.0 (cm4/proc_cpuinfo)', board: identifyBoard({}, 'Raspberry Pi Compute Module 4 Rev 1.0'), has: true },
  { source: 'model string only: Raspberry Pi 2 Model B Rev 1.1 (pi2b device-tree model)', board: identifyBoard({}, 'Raspberry Pi 2 Model B Rev 1.1'), has: true },
], (row) => assert.equal(hasUnderVoltageDetector(row.board), row.has));

const noFiles: Files = { text: () => null, bytes: () => null, list: () => null };

table<{ source: string; revision: string; conditions: string[] }>('the collector leaves out under_voltage only where there is no detector (get_throttled: SEMANTICS.md 1, 0x50005)', [
  { source: 'zerow (9000c1): no detector', revision: '9000c1', conditions: ['arm_frequency_capped', 'throttled', 'soft_temperature_limit'] },
  { source: 'pi4b (c03111): every condition', revision: 'c03111', conditions: ['under_voltage', 'arm_frequency_capped', 'throttled', 'soft_temperature_limit'] },
], async (row) => {
  const ctx: CollectContext = {
    board: identifyBoard({ hardware: 'BCM2835', revision: row.revision }, null),
    proc: noFiles,
    sys: noFiles,
    vcgencmd: async (args, parse) => {
      assert.deepEqual(args, ['get_throttled']);
      return parse('throttled=0x50005\n');
    },
  };
  const { families, results } = await runCollectors([{ collector: throttled, options: {} }], ctx, () => 0);
  assert.equal(results[0]!.success, true);
  const samples = (name: string): Array<[string, number]> => families.find((f) => f.name === name)!.samples.map((s) => [s.labels.condition!, s.value]);
  const expected = (bits: Record<string, number>): Array<[string, number]> => row.conditions.map((c) => [c, bits[c]!]);
  assert.deepEqual(samples('rpi_throttle_condition_active'), expected({ under_voltage: 1, arm_frequency_capped: 0, throttled: 1, soft_temperature_limit: 0 }));
  assert.deepEqual(samples('rpi_throttle_condition_occurred'), expected({ under_voltage: 1, arm_frequency_capped: 0, throttled: 1, soft_temperature_limit: 0 }));
});
