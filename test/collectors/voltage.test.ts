// voltage: parseMeasureVolts on real measure_volts outputs.
import assert from 'node:assert/strict';
import { parseMeasureVolts } from '../../src/collectors/voltage';
import { table } from '../helpers';

table('parseMeasureVolts', [
  { source: 'pi4b/vcgencmd_measure_volts_core.si-pi-dev-20201228.txt', text: 'volt=1.0000V\n', volts: 1 },
  { source: 'pi3b/vcgencmd_measure_volts_core.si-Pi3B_sample_output.txt', text: 'volt=1.3563V', volts: 1.3563 },
  { source: 'pi3b/vcgencmd_measure_volts_sdram_c.si-Pi3B_sample_output.txt', text: 'volt=1.2750V', volts: 1.275 },
  { source: 'pi4b measure_volts ain1 (zero reading)', text: 'volt=0.0000V', volts: 0 },
  { source: 'a whole number (the firmware prints four decimals; a number without is read)', text: 'volt=1V', volts: 1 },
], (row) => assert.equal(parseMeasureVolts(row.text), row.volts));

table('parseMeasureVolts rejects', [
  { source: 'empty output', text: '' },
  { source: 'no number', text: 'volt=V' },
  { source: 'no unit', text: 'volt=1.0000' },
  { source: 'wrong key', text: 'volts=1.0V' },
  { source: 'measure_clock answer', text: 'frequency(1)=0' },
  { source: 'no digits after the point', text: 'volt=1.V' },
  { source: 'no digits before the point', text: 'volt=.5V' },
  { source: 'two points', text: 'volt=1.2.3V' },
  { source: 'a sign', text: 'volt=-1.0000V' },
  { source: 'millivolts', text: 'volt=1.0000mV' },
], (row) => assert.throws(() => parseMeasureVolts(row.text), /measure_volts/));
