// temperature: parseMeasureTemp and parseThermalZoneTemp on real outputs.
import assert from 'node:assert/strict';
import { parseMeasureTemp, parseThermalZoneTemp } from '../../src/collectors/temperature';
import { table } from '../helpers';

table('parseMeasureTemp', [
  { source: 'pi3b/vcgencmd_measure_temp.get_throttled.measure_temp.0x50000.raspberrypi-firmware-issue-615.txt', text: "temp=39.2'C\n", celsius: 39.2 },
  { source: "measure_temp without newline", text: "temp=38.6'C", celsius: 38.6 },
], (row) => assert.equal(parseMeasureTemp(row.text), row.celsius));

table('parseThermalZoneTemp', [
  { source: 'pi5/sys_hwmon_temp1_input_and_thermal_zone0_temp.DietPi-Dashboard-issue-1190.txt', text: '46300\n', celsius: 46.3 },
  { source: 'millidegrees with all digits', text: '53729', celsius: 53.729 },
], (row) => assert.equal(parseThermalZoneTemp(row.text), row.celsius));

table('parseMeasureTemp rejects', [
  { source: 'empty output', text: '' },
  { source: 'no value', text: 'temp=' },
  { source: 'no apostrophe', text: 'temp=39.2C' },
  { source: 'degree sign', text: 'temp=39.2°C' },
  { source: 'bare number', text: '39.2' },
], (row) => assert.throws(() => parseMeasureTemp(row.text), /measure_temp/));

table('parseThermalZoneTemp rejects', [
  { source: 'empty file', text: '' },
  { source: 'text', text: 'abc' },
  { source: 'degrees instead of millidegrees', text: '46.3' },
  { source: 'unit appended', text: '46300 C' },
], (row) => assert.throws(() => parseThermalZoneTemp(row.text), /thermal zone/));
