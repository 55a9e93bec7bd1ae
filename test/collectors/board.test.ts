// board: the cpuinfo, device-tree and revision-code parsers behind the board collector, on real captures.
import assert from 'node:assert/strict';
import { decodeRevision, identifyBoard, parseCpuinfo, parseDeviceTreeString } from '../../src/framework/board';
import { table } from '../helpers';

table('parseCpuinfo', [
  {
    source: 'pi4b/proc_cpuinfo.64bit.epoptes-issue-200.txt (tail, tabs)',
    text: 'CPU revision\t: 3\n\nHardware\t: BCM2835\nRevision\t: c03111\nSerial\t\t: 10000000266dd214\nModel\t\t: Raspberry Pi 4 Model B Rev 1.1\n',
    expected: { hardware: 'BCM2835', revision: 'c03111', serial: '10000000266dd214', model: 'Raspberry Pi 4 Model B Rev 1.1' },
  },
  {
    source: 'pi4b/proc_cpuinfo.NO-HARDWARE-LINE.SPACES-NOT-TABS.fastfetch-issue-1529.txt (tail)',
    text: 'Revision        : d03115\nSerial          : 100000000fe69593\nModel           : Raspberry Pi 4 Model B Rev 1.5\n',
    expected: { revision: 'd03115', serial: '100000000fe69593', model: 'Raspberry Pi 4 Model B Rev 1.5' },
  },
  { source: 'zero/proc_cpuinfo.WARRANTY-BIT-CLEAR-900093 (trailing space, no Model)', text: 'CPU revision\t: 7 \n\nHardware\t: BCM2835\nRevision\t: 900093\n', expected: { hardware: 'BCM2835', revision: '900093' } },
  { source: 'empty file', text: '', expected: {} },
], (row) => assert.deepEqual(parseCpuinfo(row.text), row.expected));

table('parseDeviceTreeString', [
  { source: 'pi3bplus/device_tree_model (NUL-terminated as the kernel gives it)', text: 'Raspberry Pi 3 Model B Plus Rev 1.3\0', model: 'Raspberry Pi 3 Model B Plus Rev 1.3' },
  { source: 'pi5/device_tree_model.naterjlao-pi-dogdoor-raspinfo.txt (captured with a newline)', text: 'Raspberry Pi 5 Model B Rev 1.0\n', model: 'Raspberry Pi 5 Model B Rev 1.0' },
], (row) => assert.equal(parseDeviceTreeString(row.text), row.model));

table('decodeRevision', [
  { source: 'c03111 (pi4b)', code: 'c03111', d: ['4B', 'BCM2711', 'Sony UK', '1.1', 4096, false] },
  { source: 'd04170 (pi5)', code: 'd04170', d: ['5', 'BCM2712', 'Sony UK', '1.0', 8192, false] },
  { source: '902120 (zero2w)', code: '902120', d: ['Zero 2 W', 'BCM2837', 'Sony UK', '1.0', 512, false] },
  { source: '9000c1 (zerow)', code: '9000c1', d: ['Zero W', 'BCM2835', 'Sony UK', '1.1', 512, false] },
  { source: 'a020d3 (pi3bplus)', code: 'a020d3', d: ['3B+', 'BCM2837', 'Sony UK', '1.3', 1024, false] },
  { source: 'b03140 (cm4)', code: 'b03140', d: ['CM4', 'BCM2711', 'Sony UK', '1.0', 2048, false] },
  { source: 'e04171 (16 GB Pi 5)', code: 'e04171', d: ['5', 'BCM2712', 'Sony UK', '1.1', 16384, false] },
  { source: 'a03115, not in the published table (documentation#2546)', code: 'a03115', d: ['4B', 'BCM2711', 'Sony UK', '1.5', 1024, false] },
  { source: 'd03141, not in the table', code: 'd03141', d: ['CM4', 'BCM2711', 'Sony UK', '1.1', 8192, false] },
  { source: 'c03131, not in the table', code: 'c03131', d: ['400', 'BCM2711', 'Sony UK', '1.1', 4096, false] },
  { source: '2a020d3, bit 25 of an overclocked 3B+ (system_info)', code: '2a020d3', d: ['3B+', 'BCM2837', 'Sony UK', '1.3', 1024, true] },
  { source: '2a22082, bit 25, Embest 3B', code: '2a22082', d: ['3B', 'BCM2837', 'Embest', '1.2', 1024, true] },
  { source: '1900093, bit 24 seen on an overclocked Zero', code: '1900093', d: ['Zero', 'BCM2835', 'Sony UK', '1.3', 512, true] },
  { source: '80c03111, bit 31 from the mailbox', code: '80c03111', d: ['4B', 'BCM2711', 'Sony UK', '1.1', 4096, false] },
  { source: '0010, old style B+', code: '0010', d: ['B+', 'BCM2835', 'Sony UK', '1.2', 512, false] },
  { source: '000e, old style B', code: '000e', d: ['B', 'BCM2835', 'Sony UK', '2.0', 512, false] },
  { source: '0015, old style A+ shipped with 256 or 512 MB: no memory', code: '0015', d: ['A+', 'BCM2835', 'Embest', '1.1', undefined, false] },
  { source: 'c031f1, the layout with an unknown type', code: 'c031f1', d: ['unknown (0x1f)', 'BCM2711', 'Sony UK', '1.1', 4096, false] },
  { source: 'a02070, the layout with type 0x07, which the table does not list: two hex digits', code: 'a02070', d: ['unknown (0x07)', 'BCM2837', 'Sony UK', '1.0', 1024, false] },
  { source: 'a65110, the layout (SEMANTICS.md 2.1) with processor 5 and manufacturer 6, which it does not list', code: 'a65110', d: ['4B', 'unknown (5)', 'unknown (6)', '1.0', 1024, false] },
  { source: 'f04170, the layout with memory code 7 ("other": the size is elsewhere)', code: 'f04170', d: ['5', 'BCM2712', 'Sony UK', '1.0', undefined, false] },
  { source: '0007, old style A (SEMANTICS.md 2.3)', code: '0007', d: ['A', 'BCM2835', 'Egoman', '2.0', 256, false] },
  { source: '0011, old style CM1 (SEMANTICS.md 2.3)', code: '0011', d: ['CM1', 'BCM2835', 'Sony UK', '1.0', 512, false] },
], (row) => {
  const d = decodeRevision(row.code);
  assert.ok(d);
  assert.deepEqual([d.type, d.processor, d.manufacturer, d.boardRevision, d.memoryBytes === undefined ? undefined : d.memoryBytes / 1048576, d.warrantyVoided], row.d);
  assert.equal('memoryBytes' in d, row.d[4] !== undefined, 'an unknown size is no key at all, not a key holding undefined');
});

table('decodeRevision rejects', ['', 'xyz', '0000', '0001', '123456789', 'c03111 extra', '100c03111', 'c03111g'].map((code) => ({ source: JSON.stringify(code), code })), (row) =>
  assert.equal(decodeRevision(row.code), null));

table('identifyBoard', [
  { source: 'zerow cpuinfo, old kernel (Hardware and Revision only)', cpuinfo: { hardware: 'BCM2835', revision: '9000c1', serial: 's' }, model: null, isPi: true, processor: 'BCM2835' },
  { source: 'pi5 cpuinfo without Hardware line', cpuinfo: { revision: 'd04170', model: 'Raspberry Pi 5 Model B Rev 1.0' }, model: null, isPi: true, processor: 'BCM2712' },
  { source: 'pi5 device-tree model, no Revision line', cpuinfo: {}, model: 'Raspberry Pi 5 Model B Rev 1.0', isPi: true, processor: 'BCM2712' },
  { source: 'CM5 model string only', cpuinfo: {}, model: 'Raspberry Pi Compute Module 5 Rev 1.0', isPi: true, processor: 'BCM2712' },
  { source: 'Pi 400 model string only', cpuinfo: {}, model: 'Raspberry Pi 400 Rev 1.0', isPi: true, processor: 'BCM2711' },
  { source: 'CM4 model string only', cpuinfo: {}, model: 'Raspberry Pi Compute Module 4 Rev 1.0', isPi: true, processor: 'BCM2711' },
  { source: 'Zero 2 model string only (2021 kernels)', cpuinfo: {}, model: 'Raspberry Pi Zero 2 Rev 1.0', isPi: true, processor: 'BCM2837' },
  { source: 'Zero W model string only', cpuinfo: {}, model: 'Raspberry Pi Zero W Rev 1.1', isPi: true, processor: 'BCM2835' },
  { source: 'nothing known', cpuinfo: {}, model: null, isPi: false, processor: null },
  { source: 'a generic DT system', cpuinfo: { hardware: 'Generic DT based system', revision: '0000' }, model: null, isPi: false, processor: null },
  { source: 'a Pi revision on another board', cpuinfo: { revision: 'c03111' }, model: 'Some Other Board', isPi: false, processor: null },
  { source: 'a Broadcom SoC with no usable revision and no model', cpuinfo: { hardware: 'BCM2835', revision: 'zz' }, model: null, isPi: false, processor: null },
  { source: 'a revision whose processor field is unknown: the model says the SoC', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Raspberry Pi 4 Model B Rev 1.1', isPi: true, processor: 'BCM2711' },
  { source: 'a model that names a Pi 5 but is not one, on a revision whose processor is unknown', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Not a Raspberry Pi 5', isPi: true, processor: null },
  { source: 'a model that names a Pi 4 but is not one, on a revision whose processor is unknown', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Not a Raspberry Pi 4', isPi: true, processor: null },
  { source: 'a model that names a Pi 3 but is not one, on a revision whose processor is unknown', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Not a Raspberry Pi 3', isPi: true, processor: null },
  { source: 'a model that names a Pi 2 but is not one, on a revision whose processor is unknown', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Not a Raspberry Pi 2', isPi: true, processor: null },
  { source: 'a model that names a Pi Zero but is not one, on a revision whose processor is unknown', cpuinfo: { hardware: 'BCM2711', revision: 'a65110' }, model: 'Not a Raspberry Pi Zero', isPi: true, processor: null },
  { source: 'pi1b model string only (device-tree model, GrazerComputerClub post)', cpuinfo: {}, model: 'Raspberry Pi Model B Rev 2', isPi: true, processor: 'BCM2835' },
  { source: 'pi2b model string only (device-tree model, GrazerComputerClub post)', cpuinfo: {}, model: 'Raspberry Pi 2 Model B Rev 1.1', isPi: true, processor: 'BCM2836' },
  { source: 'pi3b model string only (device_tree_model.si-Pi3B_sample_output)', cpuinfo: {}, model: 'Raspberry Pi 3 Model B Rev 1.2', isPi: true, processor: 'BCM2837' },
  { source: 'pi4b model string only (proc_cpuinfo.64bit.epoptes-issue-200)', cpuinfo: {}, model: 'Raspberry Pi 4 Model B Rev 1.1', isPi: true, processor: 'BCM2711' },
  { source: 'Pi 500 model string only (SEMANTICS.md 8: the documentation\'s example)', cpuinfo: {}, model: 'Raspberry Pi 500 Rev 1.0', isPi: true, processor: 'BCM2712' },
  { source: 'zero model string only (zero/proc_cpuinfo Model line)', cpuinfo: {}, model: 'Raspberry Pi Zero Rev 1.3', isPi: true, processor: 'BCM2835' },
  { source: 'CM3+ model string only (its kernel\'s "Hardware name:" in a linux-serial report, 2022)', cpuinfo: {}, model: 'Raspberry Pi Compute Module 3 Plus Rev 1.0', isPi: true, processor: 'BCM2837' },
], (row) => {
  const b = identifyBoard(row.cpuinfo, row.model);
  assert.equal(b.isPi, row.isPi);
  assert.equal(b.processor, row.processor);
});
