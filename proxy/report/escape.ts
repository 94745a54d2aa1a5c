// Escaping for untrusted text (bodies, headers, paths all come from live traffic).

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) shown as their code point: an
 * answer's RLO + "00.001$" would otherwise display as "$100.00", and reorder the rest of its table cell.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
export function visibleBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase()}>`);
}

export function escapeHtml(text: string): string {
  return visibleBidi(text).replace(/[&<>"']/g, (c) => HTML[c]);
}

/** Every line break CommonMark knows (a lone CR is one: it split a table row in two). */
const LINE_BREAKS = /\r\n|\r|\n/g;

/** XML 1.0 forbids most control characters even when escaped, so they are dropped. */
const XML_INVALID = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return escapeHtml(text.replace(XML_INVALID, '\uFFFD'));
}

/** Markdown table cell: no pipes or newlines, HTML inert (GitHub renders inline HTML). */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdownHtml(text).replace(/\|/g, '\\|');
}

/**
 * Text on one line of a raw HTML block (`<details><summary>…`): escaped as HTML and kept on its line. Markdown
 * is not read there, so a `\|` would show as typed.
 */
export function escapeMarkdownHtml(text: string): string {
  return escapeHtml(text).replace(LINE_BREAKS, ' ');
}

/**
 * Inline code span that survives backticks inside the text. In a table cell (the default) its pipes are escaped;
 * elsewhere (a heading) they must not be: a code span shows a backslash as typed.
 */
export function markdownCode(text: string, where: 'cell' | 'line' = 'cell'): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  const line = visibleBidi(text).replace(LINE_BREAKS, ' ');
  return `${fence}${pad}${where === 'cell' ? line.replace(/\|/g, '\\|') : line}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the text. */
export function markdownFence(text: string, lang = ''): string {
  text = visibleBidi(text);
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

export function displayValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
