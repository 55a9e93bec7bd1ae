/**
 * The collector registry, in the order of --help and the README. Adding hardware knowledge = one
 * file in this folder + one line here (test/architecture.test.ts fails if a file is not registered).
 */
import type { Collector } from '../framework/collector';
import board from './board';
import bootloader from './bootloader';
import clock from './clock';
import firmware from './firmware';
import pmic from './pmic';
import temperature from './temperature';
import throttled from './throttled';
import voltage from './voltage';

export const COLLECTORS: readonly Collector[] = [board, throttled, temperature, clock, voltage, pmic, firmware, bootloader];
