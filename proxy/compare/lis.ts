// Longest increasing subsequence: the elements of a reordered array that kept their relative order.
// Everything outside it is what "moved", so a single moved element is reported as one move.

/** Returns a flag per position of `seq`: true when that position belongs to one longest increasing run. */
export function longestIncreasing(seq: readonly number[]): boolean[] {
  const n = seq.length;
  const tails: number[] = []; // tails[k] = position of the smallest tail of an increasing run of length k+1
  const prev = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < seq[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const keep = new Array<boolean>(n).fill(false);
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep[i] = true;
  return keep;
}

/** True when seq is strictly increasing (nothing moved). */
export function isIncreasing(seq: readonly number[]): boolean {
  for (let i = 1; i < seq.length; i++) if (seq[i] <= seq[i - 1]) return false;
  return true;
}
