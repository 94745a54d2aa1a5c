// A cheap structural hash that agrees with the walker's equality: equal under the rules implies equal
// hash (ignored fields skipped, object key order and unordered arrays commutative, numbers collapsed
// when a tolerance applies). Collisions are fine: candidates are confirmed with Walker.equal.
import type { Walker } from './walker.ts';
import type { States } from './rules.ts';

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

function hashString(s: string): number {
  // Long strings are sampled: the head, the length and the tail tell most values apart.
  let h = 0x811c9dc5 ^ s.length;
  const n = s.length < 48 ? s.length : 32;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  if (n < s.length) for (let i = s.length - 16; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function hashValue(w: Walker, v: unknown, st: States, unord: string | undefined, tolerant: boolean): number {
  switch (typeof v) {
    case 'string':
      return hashString(v);
    case 'number':
      return tolerant ? 0x2545f491 : mix((v * 1000003) ^ (v | 0) ^ 0x3c6ef372);
    case 'boolean':
      return v ? 0x6a09e667 : 0x1f83d9ab;
    case 'object': {
      if (v === null) return 0x5be0cd19;
      if (Array.isArray(v)) {
        let h = 0x510e527f ^ v.length;
        for (let i = 0; i < v.length; i++) {
          const cs = w.childStates(st, i);
          if (w.sr.ignored) continue;
          const eh = hashValue(w, v[i], cs, w.sr.unordered, tolerant);
          h = unord === undefined ? mix(h + eh) : (h + mix(eh)) | 0;
        }
        return h;
      }
      let h = 0x9b05688c;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const cs = w.childStates(st, k);
        if (w.sr.ignored) continue;
        h = (h + mix(hashString(k) ^ hashValue(w, o[k], cs, w.sr.unordered, tolerant))) | 0;
      }
      return h;
    }
    default:
      return 0;
  }
}
