/**
 * The collector registry: every collector, in name order (--help's and the README's order).
 * Adding hardware knowledge = one file in this folder, its import here and its entry in the list
 * (test/architecture.test.ts fails if a file is not registered, or the list is out of order).
 */
import type { Collector } from '../framework/collector';
import board from './board';
import boot from './boot';
import bootloader from './bootloader';
import clock from './clock';
import firmware from './firmware';
import firmware_config from './firmware_config';
import gpu_memory from './gpu_memory';
import mmc from './mmc';
import pmic from './pmic';
import temperature from './temperature';
import throttled from './throttled';
import voltage from './voltage';

export const COLLECTORS: readonly Collector[] = [
  board,
  boot,
  bootloader,
  clock,
  firmware,
  firmware_config,
  gpu_memory,
  mmc,
  pmic,
  temperature,
  throttled,
  voltage,
];
