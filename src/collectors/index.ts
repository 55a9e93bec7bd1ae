/**
 * The collector registry: one line per collector. Adding hardware knowledge = one file in this
 * folder + one line here (test/architecture.test.ts fails if a file is not registered).
 */
export { default as board } from './board';
export { default as boot } from './boot';
export { default as bootloader } from './bootloader';
export { default as clock } from './clock';
export { default as firmware } from './firmware';
export { default as firmware_config } from './firmware_config';
export { default as gpu_memory } from './gpu_memory';
export { default as mmc } from './mmc';
export { default as pmic } from './pmic';
export { default as temperature } from './temperature';
export { default as throttled } from './throttled';
export { default as voltage } from './voltage';
