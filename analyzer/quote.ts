// Names from the analysed code (file names, route paths, expressions) shown to people: control and bidi characters
// made visible, so a name cannot move a terminal's cursor, forge a line of a report or reorder the text around it.

import { hasUnprintable, jsonVisible, visible } from '../common/unprintable.ts';

export { hasUnprintable, jsonVisible, visible };

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
