// Sticky canary split: a stable hash of the customer's key decides the side, so one customer always sees
// one side while the percent holds over many customers.
import type { IncomingMessage } from 'node:http';

export type StickyKey = (req: IncomingMessage) => string;

/** FNV-1a 32-bit: fast, stable across processes and restarts, good enough spread for bucketing. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche so keys that differ only in the last character spread over all buckets
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** True when the key's bucket (0..9999) falls inside percent (0..100, two decimals). */
export function inCanary(key: string, percent: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  return fnv1a(key) % 10_000 < Math.round(percent * 100);
}

const clientIp: StickyKey = (req) => req.socket.remoteAddress ?? '';

/** Compiles `ip`, `header:<name>` or `cookie:<name>` into a key reader; a request without the key falls back to its IP. */
export function stickyKey(stickyBy: string): StickyKey {
  if (stickyBy.startsWith('header:')) {
    const name = stickyBy.slice(7).toLowerCase();
    return (req) => {
      const v = req.headers[name];
      if (v === undefined) return clientIp(req);
      return typeof v === 'string' ? v : v.join(',');
    };
  }
  if (stickyBy.startsWith('cookie:')) {
    const name = stickyBy.slice(7);
    return (req) => cookieValue(req.headers.cookie, name) ?? clientIp(req);
  }
  return clientIp;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
