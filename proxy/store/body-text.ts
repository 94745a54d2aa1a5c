// Helpers for turning captured body bytes into text a person can read in a stored sample:
// binary detected, JSON recognised, length capped. (Content decoding is compare/decode.ts.)
export function looksBinary(bytes: Buffer): boolean {
  const probe = bytes.subarray(0, 4096);
  return probe.includes(0);
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  return ct.includes('/json') || ct.includes('+json');
}

/** Caps text at maxBytes (UTF-8), saying how much was cut so the reader is never misled. */
export function capText(text: string, maxBytes: number): string {
  const size = Buffer.byteLength(text);
  if (size <= maxBytes) return text;
  // cut on a character boundary: decoding a cut buffer may leave a U+FFFD at the end, drop it
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut}…[truncated, ${size} bytes in total]`;
}
