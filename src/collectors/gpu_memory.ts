/**
 * Memory the firmware gave the GPU (config.txt gpu_mem), from `vcgencmd get_mem gpu`, once per
 * boot: it is set by the firmware at boot and cannot change before the next. `get_mem arm` is
 * deliberately not read: on boards with more than 1 GB it reports only the memory below 1 GB
 * (SEMANTICS.md), so total minus GPU would be wrong; the board collector's memory comes from
 * the revision code instead.
 */
import { defineCollector } from '../framework/collector';
import { UnexpectedOutputError } from '../framework/errors';

/** PURE: `vcgencmd get_mem gpu` output, `gpu=256M` (MiB), in bytes. */
export function parseGetMemGpu(text: string): number {
  const m = /^gpu=(\d+)M$/.exec(text.trim());
  if (!m) throw new UnexpectedOutputError('vcgencmd get_mem gpu', text.trim());
  return Number(m[1]) * 1024 * 1024;
}

export default defineCollector({
  name: 'gpu_memory',
  description: 'memory given to the GPU at boot (config.txt gpu_mem), from `vcgencmd get_mem gpu` once per boot; no process after the first run',
  metrics: [{ name: 'rpi_gpu_memory_bytes', help: 'Memory the firmware reserved for the GPU at boot (vcgencmd get_mem gpu).', unit: 'bytes', labels: [] }],
  async collect(ctx, emit) {
    emit('rpi_gpu_memory_bytes', {}, await ctx.vcgencmd(['get_mem', 'gpu'], parseGetMemGpu, { perBoot: true }));
  },
});
