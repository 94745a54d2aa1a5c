// A small seeded PRNG so the demo's traffic is the same on every run (and in the test).
import { mulberry32 } from '../common/random.ts';

export interface Random {
  /** 0 ≤ x < 1 */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32 with the helpers the shoppers pick requests with. */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}
