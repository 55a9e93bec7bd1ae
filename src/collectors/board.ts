/**
 * Board identity from /proc/cpuinfo and /proc/device-tree/model. No process is started.
 */
import { defineCollector } from '../framework/collector';

export default defineCollector({
  name: 'board',
  description: 'board model, revision code, SoC, maker, serial and RAM, from /proc/cpuinfo and /proc/device-tree/model; no process',
  metrics: [
    {
      name: 'rpi_board_info',
      help: 'Raspberry Pi board identity: device-tree model and the decoded cpuinfo revision code. Always 1.',
      unit: 'info',
      labels: ['model', 'revision', 'type', 'processor', 'manufacturer', 'board_revision', 'serial'],
    },
    { name: 'rpi_board_memory_bytes', help: 'Installed RAM according to the board revision code.', unit: 'bytes', labels: [] },
    {
      name: 'rpi_board_warranty_voided',
      help: 'Whether the revision code carries the warranty bit that overclocking with over_voltage sets (1) or not (0).',
      unit: 'boolean',
      labels: [],
    },
  ],
  collect(ctx, emit) {
    const board = ctx.board;
    const rev = board.revision;
    emit(
      'rpi_board_info',
      {
        model: board.model,
        revision: rev?.code ?? '',
        type: rev?.type ?? '',
        processor: rev?.processor ?? board.processor ?? '',
        manufacturer: rev?.manufacturer ?? '',
        board_revision: rev?.boardRevision ?? '',
        serial: board.serial,
      },
      1,
    );
    if (rev?.memoryBytes !== undefined) emit('rpi_board_memory_bytes', {}, rev.memoryBytes);
    if (rev) emit('rpi_board_warranty_voided', {}, rev.warrantyVoided ? 1 : 0);
  },
});
