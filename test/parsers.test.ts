// Table tests for every pure parser, on literal strings from shared/pi-data captures (file named
// beside each), plus malformed input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRevision, identifyBoard, parseCpuinfo, parseDeviceTreeString } from '../src/board';
import { parseBootloaderVersion } from '../src/collectors/bootloader';
import { parseMeasureClock } from '../src/collectors/clock';
import { parseFirmwareDate, parseFirmwareVersion } from '../src/collectors/firmware';
import { parsePmicReadAdc } from '../src/collectors/pmic';
import { parseMeasureTemp, parseThermalZoneTemp } from '../src/collectors/temperature';
import { parseGetThrottled } from '../src/collectors/throttled';
import { parseMeasureVolts } from '../src/collectors/voltage';
import { parseNodeExporterDefaults } from '../src/node-exporter-defaults';
import { parseDuration } from '../src/duration';
import { classifyResult, VcgencmdError } from '../src/vcgencmd';

test('parseGetThrottled: real values', () => {
  const cases: Array<[string, number, string[], string[]]> = [
    // [output, raw, active, occurred]
    ['throttled=0x0\n', 0, [], []], // pi3b/..alwye-get_throttled-issue-2, pi5/..naterjlao
    ['throttled=0x50000\n', 0x50000, [], ['under_voltage', 'throttled']], // pi3b/..firmware-issue-615
    ['throttled=0x80008\n', 0x80008, ['soft_temperature_limit'], ['soft_temperature_limit']], // pi4b, pi3bplus
    ['throttled=0x50005', 0x50005, ['under_voltage', 'throttled'], ['under_voltage', 'throttled']], // SEMANTICS.md 1 (observed)
  ];
  for (const [text, raw, active, occurred] of cases) {
    const f = parseGetThrottled(text);
    assert.equal(f.raw, raw, text);
    assert.deepEqual(Object.entries(f.active).filter(([, v]) => v).map(([k]) => k), active, text);
    assert.deepEqual(Object.entries(f.occurred).filter(([, v]) => v).map(([k]) => k), occurred, text);
  }
});

test('parseGetThrottled: malformed and error outputs throw', () => {
  for (const bad of ['', 'throttled=', 'throttled=0x', 'throttled=50000', 'throttled=0x1000000000', 'temp=39.2\'C',
    "Can't open device file: /dev/vcio", 'error=1 error_msg="Command not registered"', 'throttled=0x50000 trailing']) {
    assert.throws(() => parseGetThrottled(bad), /unexpected output from vcgencmd get_throttled/, bad);
  }
});

test('parseMeasureClock: real values, including idle zero and changing clock ids', () => {
  const cases: Array<[string, number]> = [
    ['frequency(48)=2000478464\n', 2000478464], // pi4b arm
    ['frequency(45)=1375002000', 1375002000], // pi3b arm, older clock id
    ['frequency(1)=549993152', 549993152], // pi4b core
    ['frequency(0)=0', 0], // pi5 v3d powered down (linux#7348)
    ['frequency(29)=148500000', 148500000], // pi3b pixel
  ];
  for (const [text, hz] of cases) assert.equal(parseMeasureClock(text, 'x'), hz, text);
  for (const bad of ['', 'frequency(48)=', 'frequency=2000', 'frequency(48)=-1', 'frequency(48)=1.5e9', 'volt=1.0000V']) {
    assert.throws(() => parseMeasureClock(bad, 'arm'), /measure_clock arm/, bad);
  }
});

test('parseMeasureVolts: real values', () => {
  const cases: Array<[string, number]> = [
    ['volt=1.0000V\n', 1], // pi4b core
    ['volt=1.3563V', 1.3563], // pi3b core
    ['volt=1.2750V', 1.275], // pi3b sdram_c
    ['volt=0.0000V', 0], // pi4b ain1
  ];
  for (const [text, v] of cases) assert.equal(parseMeasureVolts(text), v, text);
  for (const bad of ['', 'volt=V', 'volt=1.0000', 'volts=1.0V', 'frequency(1)=0']) assert.throws(() => parseMeasureVolts(bad), /measure_volts/, bad);
});

test('parseMeasureTemp and parseThermalZoneTemp', () => {
  assert.equal(parseMeasureTemp("temp=39.2'C\n"), 39.2); // pi3b firmware-issue-615
  assert.equal(parseMeasureTemp("temp=38.6'C"), 38.6);
  assert.equal(parseThermalZoneTemp('46300\n'), 46.3); // pi5 DietPi-Dashboard-issue-1190
  assert.equal(parseThermalZoneTemp('53729'), 53.729);
  for (const bad of ['', 'temp=', "temp=39.2C", 'temp=39.2°C', '39.2']) assert.throws(() => parseMeasureTemp(bad), /measure_temp/, bad);
  for (const bad of ['', 'abc', '46.3', '46300 C']) assert.throws(() => parseThermalZoneTemp(bad), /thermal zone/, bad);
});

const PMIC = [
  ' 3V7_WL_SW_A current(0)=0.09368929A',
  '  VDD_CORE_A current(7)=6.22421000A',
  '   3V3_DAC_A current(17)=0.00006105A',
  '  VDD_CORE_V volt(15)=0.86173300V',
  '     EXT5V_V volt(24)=5.09066000V',
  '      BATT_V volt(25)=0.00000000V',
].join('\n'); // lines of pi5/vcgencmd_pmic_read_adc.ml-energy-zeus-test_rpi.txt

test('parsePmicReadAdc: rails, units, channels', () => {
  assert.deepEqual(parsePmicReadAdc(`${PMIC}\n`), [
    { rail: '3V7_WL_SW', kind: 'current', channel: 0, value: 0.09368929 },
    { rail: 'VDD_CORE', kind: 'current', channel: 7, value: 6.22421 },
    { rail: '3V3_DAC', kind: 'current', channel: 17, value: 0.00006105 },
    { rail: 'VDD_CORE', kind: 'volt', channel: 15, value: 0.861733 },
    { rail: 'EXT5V', kind: 'volt', channel: 24, value: 5.09066 },
    { rail: 'BATT', kind: 'volt', channel: 25, value: 0 },
  ]);
});

test('parsePmicReadAdc: malformed input throws', () => {
  for (const bad of [
    '',
    'vc_gencmd_read_response returned -1\nerror=1 error_msg="Command not registered"', // pi5 mem_reloc_stats error format
    '  VDD_CORE_A volt(7)=6.22421000A', // current rail labelled volt
    '  VDD_CORE_A current(7)=6.22421000V', // unit mismatch
    '  VDD_CORE current(7)=6.22421000A', // no suffix
    `${PMIC}\ngarbage`,
  ]) {
    assert.throws(() => parsePmicReadAdc(bad), /pmic_read_adc/, bad);
  }
});

test('parseFirmwareVersion: both date formats, variants, no variant', () => {
  // pi4b/vcgencmd_version.raspberrypi-documentation-issue-2546.txt
  assert.deepEqual(parseFirmwareVersion('Mar 24 2022 13:19:26\nCopyright (c) 2012 Broadcom\nversion e5a963efa66a1974127860b42e913d2374139ff5 (clean) (release) (start)\n'), {
    date: '2022-03-24T13:19:26', version: 'e5a963efa66a1974127860b42e913d2374139ff5', variant: 'start',
  });
  // pi5/vcgencmd_version.sbc-bench-8-NK.txt (trailing space after the time is original)
  assert.deepEqual(parseFirmwareVersion('2025/01/08 17:52:48 \nCopyright (c) 2012 Broadcom\nversion 97facbf4 (release) (embedded)\n'), {
    date: '2025-01-08T17:52:48', version: '97facbf4', variant: 'embedded',
  });
  // zerow/vcgencmd_version.sbc-bench-1niO.txt: no variant
  assert.deepEqual(parseFirmwareVersion('Sep 21 2018 15:43:17 \nCopyright (c) 2012 Broadcom\nversion 07f57128b8491ffdefcdfd13f7b4961b3006d9a9 (clean) (release)\n'), {
    date: '2018-09-21T15:43:17', version: '07f57128b8491ffdefcdfd13f7b4961b3006d9a9', variant: '',
  });
  // pi4b/vcgencmd_version.raspberrypi-linux-issue-5584.txt
  assert.equal(parseFirmwareVersion('Mar 17 2023 10:50:56\nCopyright (c) 2012 Broadcom\nversion 82f3750a65fadae9a38077e3c2e217ad158c8d54 (clean) (release) (start_cd)').variant, 'start_cd');
  for (const bad of ['', 'Copyright (c) 2012 Broadcom', 'Mar 24 2022 13:19:26\nversion zzz (release)', 'Foo 24 2022 13:19:26\nversion 97facbf4 (release)',
    "Can't open device file: /dev/vcio\nTry creating a device file with: sudo mknod /dev/vcio c 100 0"]) {
    assert.throws(() => parseFirmwareVersion(bad), /vcgencmd version/, bad);
  }
  assert.equal(parseFirmwareDate('Feb  5 2021 12:11:39'), '2021-02-05T12:11:39');
});

test('parseBootloaderVersion: Pi 4 and Pi 5 captures', () => {
  // pi4b/vcgencmd_bootloader_version.si-pi-dev-20201228.txt
  assert.deepEqual(parseBootloaderVersion('Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)\ntimestamp 1607685317\nupdate-time 1608039414\ncapabilities 0x0000001f\n'), {
    date: '2020-12-11T11:15:17', version: 'c3f26b6070054bca030366de2550d79ddae1207a', timestamp: 1607685317, updateTime: 1608039414,
  });
  // pi5/vcgencmd_bootloader_version.raspberrypi-rpi-eeprom-pr-850.txt
  assert.deepEqual(parseBootloaderVersion('2026/05/26 16:01:25\nversion 086b83e3332dfc8927c56762771d082f3077a1ae (release)\ntimestamp 1779807685\nupdate-time 1779916375\ncapabilities 0x0000007f\n'), {
    date: '2026-05-26T16:01:25', version: '086b83e3332dfc8927c56762771d082f3077a1ae', timestamp: 1779807685, updateTime: 1779916375,
  });
  // Early bootloaders gave no timestamp (rpi-eeprom#62): the lines are optional.
  assert.deepEqual(parseBootloaderVersion('Dec 11 2020 11:15:17\nversion c3f26b6070054bca030366de2550d79ddae1207a (release)'), {
    date: '2020-12-11T11:15:17', version: 'c3f26b6070054bca030366de2550d79ddae1207a',
  });
  assert.throws(() => parseBootloaderVersion('error=1 error_msg="Command not registered"'), /bootloader_version/);
});

test('parseCpuinfo: tabs, spaces, missing Hardware and Model lines', () => {
  // pi4b/proc_cpuinfo.64bit.epoptes-issue-200.txt (tail)
  assert.deepEqual(parseCpuinfo('CPU revision\t: 3\n\nHardware\t: BCM2835\nRevision\t: c03111\nSerial\t\t: 10000000266dd214\nModel\t\t: Raspberry Pi 4 Model B Rev 1.1\n'), {
    hardware: 'BCM2835', revision: 'c03111', serial: '10000000266dd214', model: 'Raspberry Pi 4 Model B Rev 1.1',
  });
  // pi4b/proc_cpuinfo.NO-HARDWARE-LINE.SPACES-NOT-TABS.fastfetch-issue-1529.txt (tail)
  assert.deepEqual(parseCpuinfo('Revision        : d03115\nSerial          : 100000000fe69593\nModel           : Raspberry Pi 4 Model B Rev 1.5\n'), {
    revision: 'd03115', serial: '100000000fe69593', model: 'Raspberry Pi 4 Model B Rev 1.5',
  });
  // zero/proc_cpuinfo.WARRANTY-BIT-CLEAR-900093...: "CPU revision\t: 7 " has a trailing space; Model present
  assert.equal(parseCpuinfo('CPU revision\t: 7 \n\nHardware\t: BCM2835\nRevision\t: 900093\n').revision, '900093');
  assert.deepEqual(parseCpuinfo(''), {});
});

test('parseDeviceTreeString: NUL-terminated and captured forms', () => {
  assert.equal(parseDeviceTreeString('Raspberry Pi 3 Model B Plus Rev 1.3\0'), 'Raspberry Pi 3 Model B Plus Rev 1.3');
  assert.equal(parseDeviceTreeString('Raspberry Pi 5 Model B Rev 1.0\n'), 'Raspberry Pi 5 Model B Rev 1.0');
});

test('decodeRevision: table codes, unlisted codes, flag bits, old style', () => {
  const cases: Array<[string, string, string, string, string, number | undefined, boolean]> = [
    // code, type, processor, manufacturer, board revision, memory MiB, warranty
    ['c03111', '4B', 'BCM2711', 'Sony UK', '1.1', 4096, false],
    ['d04170', '5', 'BCM2712', 'Sony UK', '1.0', 8192, false],
    ['902120', 'Zero 2 W', 'BCM2837', 'Sony UK', '1.0', 512, false],
    ['9000c1', 'Zero W', 'BCM2835', 'Sony UK', '1.1', 512, false],
    ['a020d3', '3B+', 'BCM2837', 'Sony UK', '1.3', 1024, false],
    ['b03140', 'CM4', 'BCM2711', 'Sony UK', '1.0', 2048, false],
    ['e04171', '5', 'BCM2712', 'Sony UK', '1.1', 16384, false],
    ['a03115', '4B', 'BCM2711', 'Sony UK', '1.5', 1024, false], // not in the published table (documentation#2546)
    ['d03141', 'CM4', 'BCM2711', 'Sony UK', '1.1', 8192, false], // not in the table
    ['c03131', '400', 'BCM2711', 'Sony UK', '1.1', 4096, false], // not in the table
    ['2a020d3', '3B+', 'BCM2837', 'Sony UK', '1.3', 1024, true], // bit 25: overclocked (system_info)
    ['2a22082', '3B', 'BCM2837', 'Embest', '1.2', 1024, true],
    ['1900093', 'Zero', 'BCM2835', 'Sony UK', '1.3', 512, true], // bit 24 observed on an overclocked Zero
    ['80c03111', '4B', 'BCM2711', 'Sony UK', '1.1', 4096, false], // bit 31 from the mailbox
    ['0010', 'B+', 'BCM2835', 'Sony UK', '1.2', 512, false], // old style
    ['000e', 'B', 'BCM2835', 'Sony UK', '2.0', 512, false],
  ];
  for (const [code, type, processor, manufacturer, boardRevision, mib, warranty] of cases) {
    const d = decodeRevision(code);
    assert.ok(d, code);
    assert.deepEqual(
      [d.type, d.processor, d.manufacturer, d.boardRevision, d.memoryBytes === undefined ? undefined : d.memoryBytes / 1048576, d.warrantyVoided],
      [type, processor, manufacturer, boardRevision, mib, warranty],
      code,
    );
  }
  assert.equal(decodeRevision('0015')?.memoryBytes, undefined); // shipped as 256 or 512 MB
  assert.match(decodeRevision('c031f1')!.type, /^unknown \(0x1f\)$/); // follows the layout, unknown type
  for (const bad of ['', 'xyz', '0000', '0001', '123456789', 'c03111 extra']) assert.equal(decodeRevision(bad), null, bad);
});

test('identifyBoard: what counts as a Raspberry Pi', () => {
  assert.equal(identifyBoard({ hardware: 'BCM2835', revision: '9000c1', serial: 's' }, null).isPi, true); // Zero W, old kernel
  assert.equal(identifyBoard({ revision: 'd04170', model: 'Raspberry Pi 5 Model B Rev 1.0' }, null).isPi, true); // no Hardware line
  assert.equal(identifyBoard({}, 'Raspberry Pi 5 Model B Rev 1.0').isPi, true);
  assert.equal(identifyBoard({}, null).isPi, false);
  assert.equal(identifyBoard({ hardware: 'Generic DT based system', revision: '0000' }, null).isPi, false);
  assert.equal(identifyBoard({ revision: 'c03111' }, 'Some Other Board').isPi, false);
});

test('classifyResult: error outputs from real captures', () => {
  const permission: Array<[string, string]> = [
    ["Can't open device file: /dev/vcio\nTry creating a device file with: sudo mknod /dev/vcio c 100 0\n", ''], // pi4b/vcgencmd.ERROR-...utils-issue-52
    ['', "Can't open device file: /dev/vcio\n"],
    ['VCHI initialization failed\n', ''], // legacy userland vcgencmd (SEMANTICS 4.2)
  ];
  for (const [out, err] of permission) {
    assert.throws(() => classifyResult(['get_throttled'], 255, out, err), (e: unknown) =>
      e instanceof VcgencmdError && e.kind === 'permission' && /video/.test(e.message));
  }
  // pi5/vcgencmd_mem_reloc_stats.ERROR-command-not-registered.naterjlao-pi-dogdoor-raspinfo.txt
  assert.throws(() => classifyResult(['mem_reloc_stats'], 255, 'vc_gencmd_read_response returned -1\nerror=1 error_msg="Command not registered"\n', ''),
    (e: unknown) => e instanceof VcgencmdError && e.kind === 'firmware' && e.message.includes('"Command not registered"'));
  assert.throws(() => classifyResult(['version'], 3, '', 'something odd\n'), (e: unknown) => e instanceof VcgencmdError && e.kind === 'exit' && /status 3: something odd/.test(e.message));
  assert.equal(classifyResult(['get_throttled'], 0, 'throttled=0x0\n', ''), 'throttled=0x0\n');
});

test('parseNodeExporterDefaults', () => {
  assert.equal(parseNodeExporterDefaults('# comment\nARGS=""\n'), null);
  assert.equal(parseNodeExporterDefaults('ARGS="--collector.textfile.directory=/run/pi-textfile --no-collector.systemd"\n'), '/run/pi-textfile');
  assert.equal(parseNodeExporterDefaults("ARGS='--collector.textfile.directory /srv/tf'\n"), '/srv/tf');
  assert.equal(parseNodeExporterDefaults('ARGS="--web.listen-address=:9100"\n'), null);
  assert.equal(parseNodeExporterDefaults('# ARGS="--collector.textfile.directory=/x"\n'), null);
  assert.equal(parseNodeExporterDefaults('ARGS="--collector.textfile.directory=/a"\nARGS="--collector.textfile.directory=/b"\n'), '/b');
});

test('parseDuration: Prometheus syntax', () => {
  const ok: Array<[string, number]> = [['5s', 5000], ['500ms', 500], ['1m30s', 90000], ['2d', 172800000], ['1w', 604800000], ['0', 0], ['1h1m1s1ms', 3661001]];
  for (const [t, ms] of ok) assert.equal(parseDuration(t), ms, t);
  for (const bad of ['', '1.5m', '30', '30m1h', '5 s', '-5s', 's', '5S']) assert.equal(parseDuration(bad), null, bad);
});
