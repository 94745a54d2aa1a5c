// Characters that never belong in a name or a route and change how the text around them shows: C0 and C1
// controls, DEL, the bidi marks, embeddings, overrides and isolates, and the Unicode line and paragraph
// separators. One set for what the analyzer makes visible, what the proxy config refuses and how the proxy
// quotes what a client sent it.

/** The characters above after C0, as a regex character-class body. */
export const PAST_C0_CLASS = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** All of them, C0 included, as a regex character-class body. */
export const UNPRINTABLE_CLASS = `\\u0000-\\u001f${PAST_C0_CLASS}`;

const ANY_UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CLASS}]`);
const EVERY_UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CLASS}]`, 'g');
const EVERY_PAST_C0 = new RegExp(`[${PAST_C0_CLASS}]`, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const codePoint = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function hasUnprintable(text: string): boolean {
  return ANY_UNPRINTABLE.test(text);
}

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

/** How many characters of a client's input a message quotes: enough to recognise it, never a 100 KB echo. */
export const QUOTED_INPUT_MAX = 80;

/**
 * Input a client sent (a route id, a query parameter, a key), quoted in an error message: a JSON string with
 * every character above escaped, cut to `max` characters with its full length said (`"abc"… (100000 characters)`).
 */
export function quoteInput(text: string, max = QUOTED_INPUT_MAX): string {
  const cut = clip(text, max);
  return `${jsonVisible(JSON.stringify(cut))}${cut.length < text.length ? `… (${text.length} characters)` : ''}`;
}

/** The same for input shown unquoted (a request path): the characters above spelled out, cut to `max`. */
export function showInput(text: string, max = QUOTED_INPUT_MAX): string {
  const cut = clip(text, max);
  return `${visible(cut)}${cut.length < text.length ? `… (${text.length} characters)` : ''}`;
}

/** The first `max` characters of a text, one fewer rather than half a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max); // never half a surrogate pair
}
