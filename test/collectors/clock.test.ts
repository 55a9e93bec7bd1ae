// clock: parseMeasureClock on real measure_clock outputs, and the --collector.clock.clocks list.
import assert from 'node:assert/strict';
import { CLOCKS, parseClockList, parseMeasureClock } from '../../src/collectors/clock';
import { table } from '../helpers';

table('parseMeasureClock', [
  { source: 'pi4b/vcgencmd_measure_clock_arm.si-pi-dev-20201228.txt', text: 'frequency(48)=2000478464\n', hz: 2000478464 },
  { source: 'pi3b/vcgencmd_measure_clock_arm.si-Pi3B_sample_output.txt (older clock id)', text: 'frequency(45)=1375002000', hz: 1375002000 },
  { source: 'pi4b/vcgencmd_measure_clock_core.si-pi-dev-20201228.txt', text: 'frequency(1)=549993152', hz: 549993152 },
  { source: 'pi5/vcgencmd_measure_clock_v3d.IDLE-ZERO.raspberrypi-linux-issue-7348.txt (powered down)', text: 'frequency(0)=0', hz: 0 },
  { source: 'pi3b/vcgencmd_measure_clock_pixel.si-Pi3B_sample_output.txt', text: 'frequency(29)=148500000', hz: 148500000 },
], (row) => assert.equal(parseMeasureClock(row.text, 'x'), row.hz));

table('parseMeasureClock rejects', [
  { source: 'empty output', text: '' },
  { source: 'no value', text: 'frequency(48)=' },
  { source: 'no clock id', text: 'frequency=2000' },
  { source: 'negative', text: 'frequency(48)=-1' },
  { source: 'exponent', text: 'frequency(48)=1.5e9' },
  { source: 'measure_volts answer', text: 'volt=1.0000V' },
  { source: 'an empty clock id', text: 'frequency()=2000' },
  { source: 'a clock id that is not a number', text: 'frequency(4a)=2000' },
  { source: 'a second value', text: 'frequency(48)=5)=6' },
  { source: 'text before', text: 'xfrequency(48)=2000' },
  { source: 'trailing text', text: 'frequency(48)=2000 Hz' },
], (row) => assert.throws(() => parseMeasureClock(row.text, 'arm'), /measure_clock arm/));

table('parseClockList', [
  { source: 'the default', text: 'arm,core', clocks: ['arm', 'core'] },
  { source: 'a clock named twice is measured once', text: 'arm,arm,core,arm', clocks: ['arm', 'core'] },
  { source: 'spaces around names', text: ' arm , v3d ', clocks: ['arm', 'v3d'] },
  { source: 'all', text: 'all', clocks: [...CLOCKS] },
], (row) => assert.deepEqual(parseClockList(row.text), row.clocks));

table('parseClockList rejects', [
  { source: 'unknown clock', text: 'arm,gpu', error: /unknown clock gpu; choose from arm, core/ },
  { source: 'nothing given', text: ',', error: /unknown clock \(none given\)/ },
], (row) => assert.throws(() => parseClockList(row.text), row.error));
