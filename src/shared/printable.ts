/**
 * Characters that must never reach a terminal or a message as themselves: C0 controls, DEL and
 * C1 controls (an ESC or CSI in a file name can recolor, move the cursor or retitle the window),
 * and the bidirectional controls that reorder how a line is shown ("invoice\u202egpj.exe" is
 * displayed as "invoiceexe.jpg").
 */
const CONTROL_RANGES = '\\u0000-\\u001f\\u007f-\\u009f';
const BIDI_RANGES = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';

export const CONTROL_CHARACTER = new RegExp(`[${CONTROL_RANGES}]`);
export const BIDI_CONTROL = new RegExp(`[${BIDI_RANGES}]`);
const UNPRINTABLE = new RegExp(`[${CONTROL_RANGES}${BIDI_RANGES}]`, 'g');
/** JSON.stringify escapes C0 controls itself (and its line breaks between values must stay). */
const LEFT_RAW_BY_JSON = new RegExp(`[\\u007f-\\u009f${BIDI_RANGES}]`, 'g');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text made safe to print: each control or bidi character is shown as an escape (\x1b, \n,
 * \u202e), everything else as it is. A backslash is left alone, so Windows paths stay readable
 * and escaping twice changes nothing.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeCharacter);
}

/** One character as the escape `printable` shows it ("\x1b", "\u202e"). */
export function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** JSON text safe to print: the characters JSON leaves raw become \u escapes, which parse back the same. */
export function printableJson(json: string): string {
  return json.replace(LEFT_RAW_BY_JSON, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
