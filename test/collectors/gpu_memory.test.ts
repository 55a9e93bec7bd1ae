// gpu_memory: parseGetMemGpu on real `vcgencmd get_mem gpu` outputs.
import assert from 'node:assert/strict';
import { parseGetMemGpu } from '../../src/collectors/gpu_memory';
import { table } from '../helpers';

table('parseGetMemGpu', [
  { source: 'pi3b/vcgencmd_get_mem_gpu.GPU_MEM_1024-256.raspberrypi-firmware-issue-1593.txt', text: 'gpu=256M\n', bytes: 268435456 },
  { source: 'common/vcgencmd_get_mem_gpu.nicolargo-glances-issue-1048.txt', text: 'gpu=256M', bytes: 268435456 },
], (row) => assert.equal(parseGetMemGpu(row.text), row.bytes));

table('parseGetMemGpu rejects', [
  { source: 'get_mem arm answer (wrong above 1 GB, never read)', text: 'arm=768M' },
  { source: 'pi5 error format (Command not registered)', text: 'error=1 error_msg="Command not registered"' },
  { source: 'no unit', text: 'gpu=256' },
  { source: 'empty output', text: '' },
], (row) => assert.throws(() => parseGetMemGpu(row.text), /unexpected output from vcgencmd get_mem gpu/));
