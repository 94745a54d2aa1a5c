// Characters that never belong in a name or a route and change how the text around them shows: C0 and C1
// controls, DEL, the bidi marks, embeddings, overrides and isolates, and the Unicode line and paragraph
// separators. One set for what the analyzer makes visible and what the proxy config refuses.

/** The characters above after C0, as a regex character-class body. */
export const PAST_C0_CLASS = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** All of them, C0 included, as a regex character-class body. */
export const UNPRINTABLE_CLASS = `\\u0000-\\u001f${PAST_C0_CLASS}`;

const ANY_UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CLASS}]`);

export function hasUnprintable(text: string): boolean {
  return ANY_UNPRINTABLE.test(text);
}
