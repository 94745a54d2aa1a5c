// The Host check RFC 9112 §3.2 asks of a server: a request with more than one Host field, or an invalid one, is
// answered 400. Node's parser keeps the first Host in req.headers and drops any other without a trace, so the check
// reads req.rawHeaders: the one place a second Host is still seen. Its cost is a length read per header name (the
// four characters of a four-character name, then the Host value's characters once): no allocation, no closure.

/** Why a request's Host is refused, or undefined when it is fine (one valid Host, or none: HTTP/1.0). */
export type HostProblem = 'duplicate' | 'invalid';

let lastValid = '';

export function hostProblem(raw: string[]): HostProblem | undefined {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length !== 4 || !isHostName(name)) continue;
    if (seen) return 'duplicate';
    seen = true;
    const value = raw[i + 1];
    // clients send the same Host request after request: the last valid one is known good (compared, not re-read)
    if (value === lastValid) continue;
    if (!isValidHost(value)) return 'invalid';
    lastValid = value;
  }
  return undefined;
}

/** `host` in any case, without lowering a copy of the name. */
function isHostName(name: string): boolean {
  return (name.charCodeAt(0) | 0x20) === 0x68 && (name.charCodeAt(1) | 0x20) === 0x6f && (name.charCodeAt(2) | 0x20) === 0x73 && (name.charCodeAt(3) | 0x20) === 0x74;
}

const COLON = 0x3a;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const PERCENT = 0x25;

/** Characters of a reg-name (RFC 3986 §3.2.2: unreserved, sub-delims, and % of pct-encoded) */
const REG_NAME = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%") REG_NAME[c.charCodeAt(0)] = 1;
/** Characters inside the brackets of an IP-literal: an IPv6 address (with a zone, RFC 6874) or an IPvFuture */
const IP_LITERAL = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%:") IP_LITERAL[c.charCodeAt(0)] = 1;

/**
 * `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2–3.2.3). Empty is valid: it is what a client sends for a
 * target without an authority. What it refuses is what would let a reader see another host, or a path, than the
 * proxy did: spaces, `/`, `\`, `@`, `?`, `#`, a second `:` outside brackets, a port that is not digits.
 */
export function isValidHost(value: string): boolean {
  const n = value.length;
  let i = 0;
  if (n > 0 && value.charCodeAt(0) === OPEN) {
    for (i = 1; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === CLOSE) break;
      if (c >= 128 || IP_LITERAL[c] === 0) return false;
    }
    if (i === n || i === 1) return false; // no closing bracket, or nothing inside
    i++;
  } else {
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128 || REG_NAME[c] === 0) break;
      if (c === PERCENT && !(isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2)))) return false;
    }
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== COLON) return false;
  for (i++; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}
