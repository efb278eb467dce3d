/**
 * Text from a log made safe for a terminal: a session name, a sessionId or a
 * participant's name may hold escape sequences (`ESC[2J` clears the screen, `ESC]0;…BEL`
 * sets the window title) or bidirectional overrides that make a line read as another.
 */

// C0 controls but the newline between lines, DEL, C1 controls (U+009B is a one-character
// CSI), and the bidirectional marks, embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as an escape (`\x1b`, `\u202e`) instead of acting. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
