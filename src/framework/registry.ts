/** Every registered collector (src/collectors/index.ts), in name order: --help's and the README's order. */
import * as registered from '../collectors/index';
import type { Collector } from './collector';

export const COLLECTORS: readonly Collector[] = Object.values(registered).sort((a, b) => (a.name < b.name ? -1 : 1));
