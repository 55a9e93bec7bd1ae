// pmic: parsePmicReadAdc on lines of a real Pi 5 pmic_read_adc output, and malformed answers.
import assert from 'node:assert/strict';
import { parsePmicReadAdc } from '../../src/collectors/pmic';
import { table } from '../helpers';

// Lines of pi5/vcgencmd_pmic_read_adc.ml-energy-zeus-test_rpi.txt
const CAPTURE = 'pi5/vcgencmd_pmic_read_adc.ml-energy-zeus-test_rpi.txt';

table('parsePmicReadAdc', [
  { source: `${CAPTURE}: 3V7_WL_SW_A`, text: ' 3V7_WL_SW_A current(0)=0.09368929A', reading: { rail: '3V7_WL_SW', kind: 'current', channel: 0, value: 0.09368929 } },
  { source: `${CAPTURE}: VDD_CORE_A`, text: '  VDD_CORE_A current(7)=6.22421000A\n', reading: { rail: 'VDD_CORE', kind: 'current', channel: 7, value: 6.22421 } },
  { source: `${CAPTURE}: 3V3_DAC_A`, text: '   3V3_DAC_A current(17)=0.00006105A', reading: { rail: '3V3_DAC', kind: 'current', channel: 17, value: 0.00006105 } },
  { source: `${CAPTURE}: VDD_CORE_V`, text: '  VDD_CORE_V volt(15)=0.86173300V', reading: { rail: 'VDD_CORE', kind: 'volt', channel: 15, value: 0.861733 } },
  { source: `${CAPTURE}: EXT5V_V`, text: '     EXT5V_V volt(24)=5.09066000V', reading: { rail: 'EXT5V', kind: 'volt', channel: 24, value: 5.09066 } },
  { source: `${CAPTURE}: BATT_V (no cell)`, text: '      BATT_V volt(25)=0.00000000V', reading: { rail: 'BATT', kind: 'volt', channel: 25, value: 0 } },
], (row) => assert.deepEqual(parsePmicReadAdc(row.text), [row.reading]));

table('parsePmicReadAdc rejects', [
  { source: 'empty output', text: '' },
  { source: 'pi5/vcgencmd_mem_reloc_stats.ERROR-command-not-registered (error format)', text: 'vc_gencmd_read_response returned -1\nerror=1 error_msg="Command not registered"' },
  { source: 'a current rail labelled volt', text: '  VDD_CORE_A volt(7)=6.22421000A' },
  { source: 'unit mismatch', text: '  VDD_CORE_A current(7)=6.22421000V' },
  { source: 'no _A/_V suffix', text: '  VDD_CORE current(7)=6.22421000A' },
  { source: 'a garbage line after good ones', text: '  VDD_CORE_A current(7)=6.22421000A\ngarbage' },
], (row) => assert.throws(() => parsePmicReadAdc(row.text), /pmic_read_adc/));
