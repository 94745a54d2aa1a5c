// Validators for commander's numeric flags, shared by every verb: a bad value is one line and exit 2 (commander's
// InvalidArgumentError). An empty value is refused, not read as 0 (`Number('')` is 0, and `--port "$PORT"` with
// PORT unset would otherwise quietly listen on a random port).
import { InvalidArgumentError } from 'commander';

function number(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** An integer within [min, max] (max optional). */
export function integerFlag(flag: string, min: number, max = Number.POSITIVE_INFINITY): (value: string) => number {
  const range = max === Number.POSITIVE_INFINITY ? (min === 1 ? 'a positive integer' : `an integer ≥ ${min}`) : `an integer ${min}..${max}`;
  return (value) => {
    const n = number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} expects ${range}, got "${value}"`);
    return n;
  };
}

/** A number ≥ min, written as 3 or 2.5 (a trailing × or x allowed: "3x"). */
export function ratioFlag(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = number(value.replace(/[x×]$/i, ''));
    if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${flag} expects a ratio ≥ ${min} (e.g. 2 or 2.5), got "${value}"`);
    return n;
  };
}

/** A percentage 0..100, with or without a trailing %. */
export function percentFlag(flag: string): (value: string) => number {
  return (value) => {
    const n = number(value.replace(/%$/, ''));
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(`${flag} expects a percentage between 0 and 100, got "${value}"`);
    return n;
  };
}

/**
 * A path: refused when empty or blank (`--out "$DIR"` with DIR unset), which every verb would otherwise take for the
 * current folder, a file named "" or a confusing ENOENT. `what` completes "give it …".
 */
export function pathFlag(flag: string, what: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} is empty: give it ${what}`);
    return value;
  };
}
