// JSON text from a file a person may have edited (the proxy config, its state file, pins, a reference,
// an analysed project's package.json): Windows editors save UTF-8 with a byte-order mark, which is not
// part of the JSON, and an error message should show, not hide, the character it stopped at.
import { visible } from './unprintable.ts';

const BOM = '\uFEFF';

/** The text without a leading byte-order mark. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * JSON.parse of the text after a leading byte-order mark. On invalid JSON, a SyntaxError whose message spells
 * out control, bidi and byte-order-mark characters (JSON.parse quotes the text it stopped at as it is).
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(withoutBom(text)) as unknown;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new SyntaxError(visible(err.message).replace(/\uFEFF/g, '\\ufeff'));
  }
}
