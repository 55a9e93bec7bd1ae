/** Small text checks shared by the parsers and the file code, without a pattern to compile. */

/** PURE: whether `text` is lower-case hex digits only (not empty). */
export function isLowerHex(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
