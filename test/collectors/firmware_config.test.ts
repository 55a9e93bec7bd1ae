// firmware_config: parseGetConfigInt on real `vcgencmd get_config int` outputs (lines of them).
import assert from 'node:assert/strict';
import { parseGetConfigInt } from '../../src/collectors/firmware_config';
import { table } from '../helpers';

table('parseGetConfigInt', [
  { source: 'zero2w/vcgencmd_get_config_int.OVERCLOCKED.FreifunkBremen-wiki.txt: overclocked', text: 'arm_freq=1300\narm_freq_min=600\nover_voltage=5\nover_voltage_sdram=3\nsdram_freq=500\n', entries: [['arm_freq', 1300], ['arm_freq_min', 600], ['over_voltage', 5], ['over_voltage_sdram', 3], ['sdram_freq', 500]] },
  { source: 'pi4b/vcgencmd_get_config_int.sbc-bench-3KVs.txt: negative and hex values', text: 'over_voltage_avs=-10000\ninit_uart_clock=0x2dc6c00\n', entries: [['over_voltage_avs', -10000], ['init_uart_clock', 48000000]] },
  { source: 'pi5/vcgencmd_get_config_int.naterjlao-pi-dogdoor-raspinfo.txt: per-display entries', text: 'usb_max_current_enable=1\nhdmi_force_cec_address:0=65535\n', entries: [['usb_max_current_enable', 1], ['hdmi_force_cec_address:0', 65535]] },
], (row) => assert.deepEqual([...parseGetConfigInt(row.text)], row.entries));

table('parseGetConfigInt rejects', [
  { source: 'empty output', text: '' },
  { source: 'the single-name reply for an unknown name (common/vcgencmd_get_config_gpu_mem.UNKNOWN.raspberrypi-firmware-issue-2020.txt)', text: 'gpu_mem is unknown\n' },
  { source: 'get_config str output (pi5/vcgencmd_get_config_str.naterjlao-pi-dogdoor-raspinfo.txt, first lines)', text: 'device_tree=-\noverlay_prefix=overlays/\n' },
  { source: 'common/vcgencmd_get_config.ERROR-cant-open-dev-vcio', text: "Can't open device file: /dev/vcio" },
  { source: 'hex without digits', text: 'init_uart_clock=0x\n' },
  { source: 'negative hex', text: 'init_uart_clock=-0x10\n' },
  { source: 'a capital in the name', text: 'Arm_freq=1500\n' },
  { source: 'an empty display number', text: 'hdmi_group:=1\n' },
  { source: 'two display numbers', text: 'hdmi_group:0:1=1\n' },
  { source: 'no name', text: '=1500\n' },
  { source: 'a second =', text: 'arm_freq=1500=1\n' },
  { source: 'one good line and one bad', text: 'arm_freq=1500\narm freq=1500\n' },
], (row) => assert.throws(() => parseGetConfigInt(row.text), /unexpected output from vcgencmd get_config int/));
