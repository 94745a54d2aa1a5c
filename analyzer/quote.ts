// Names from the analysed code (file names, route paths, expressions) shown to people: control and bidi characters
// made visible, so a name cannot move a terminal's cursor, forge a line of a report or reorder the text around it.

import { hasUnprintable, PAST_C0_CLASS, UNPRINTABLE_CLASS } from '../common/unprintable.ts';

export { hasUnprintable };

const EVERY_UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CLASS}]`, 'g');
const EVERY_PAST_C0 = new RegExp(`[${PAST_C0_CLASS}]`, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const codePoint = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `/a\r\nb` → `/a\r\nb` with the two characters spelled out; \n, \r and \t by name, the rest as \uXXXX. */
export function visible(text: string): string {
  return text.replace(EVERY_UNPRINTABLE, (c) => NAMED[c] ?? codePoint(c));
}

/**
 * JSON text as JSON.stringify wrote it, with the characters above that it leaves raw (all but C0, which it escapes
 * itself) written as \u escapes: the same JSON value, nothing a terminal obeys.
 */
export function jsonVisible(json: string): string {
  return json.replace(EVERY_PAST_C0, codePoint);
}

/**
 * A CommonMark code span that nothing inside can close or break: no raw line break, and a fence one backtick
 * longer than the longest run of backticks in the text (padded with a space, which the renderer strips, when the
 * text starts or ends with a backtick or with a space at both ends).
 */
export function codeSpan(text: string): string {
  const body = visible(text);
  if (body === '') return '` `';
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}
